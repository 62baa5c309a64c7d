package dev.tollgate.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Random interleavings of first attempts, retries and clock advances: no ten-second window (as the budget counts
 * it, whole seconds) ever holds more retries than its first attempts earned plus the floor, and a retry is
 * refused only when one more would break that.
 */
class RetryBudgetPropertiesTest {
    private static final long SECOND = 1_000_000_000L;

    sealed interface Step {
    }

    record First() implements Step {
    }

    record Retry() implements Step {
    }

    record Advance(long nanos) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(new First())),
                net.jqwik.api.Tuple.of(5, Arbitraries.just(new Retry())),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(0, 3 * SECOND).map(Advance::new)));
        return step.list().ofMinSize(1).ofMaxSize(400);
    }

    @Property(tries = 300)
    void retriesNeverExceedWhatTheWindowEarned(@ForAll("steps") List<Step> steps,
                                              @ForAll @DoubleRange(min = 0, max = 1) double ratio,
                                              @ForAll @IntRange(min = 0, max = 2) int floor) {
        var budget = new RetryBudget();
        long now = 123_456_789L;
        List<Long> firstSeconds = new ArrayList<>();
        List<Long> retrySeconds = new ArrayList<>();
        for (Step step : steps) {
            switch (step) {
                case Advance advance -> now += advance.nanos();
                case First first -> {
                    budget.firstAttempt(now);
                    firstSeconds.add(now / SECOND);
                }
                case Retry retry -> {
                    long second = now / SECOND;
                    long firsts = inWindow(firstSeconds, second);
                    long spent = inWindow(retrySeconds, second);
                    double allowance = ratio * firsts + floor * 10.0;
                    boolean granted = budget.tryRetry(ratio, floor, now);
                    assertThat(granted).as("spent %d of %.2f", spent, allowance).isEqualTo(spent + 1 <= allowance);
                    if (granted) {
                        retrySeconds.add(second);
                    }
                }
            }
        }
    }

    private static long inWindow(List<Long> seconds, long now) {
        return seconds.stream().filter(s -> s > now - 10 && s <= now).count();
    }
}
