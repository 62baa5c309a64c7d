package dev.tollgate.core.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.pricing.Money;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random interleavings of admissions, settlements, abandoned requests (their lease expires) and clock advances,
 * starting shortly before a budget day ends so periods roll over too.
 */
class LocalQuotaStorePropertiesTest {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final Instant START = Instant.parse("2030-01-07T22:45:00Z");
    private static final Duration MAX_TTL = Duration.ofSeconds(90);

    /** Three overlapping scopes: a key of a team, and one of the key's end users. */
    private static final List<Scope> SCOPES = List.of(
            new Scope("key:a", new Limits(8, 4000, 4), new Budget(Money.ofUsd("1"), Period.DAILY, List.of(0.5))),
            new Scope("team:t", new Limits(12, 0, 0), new Budget(Money.ofUsd("2"), Period.DAILY, List.of())),
            new Scope("user:a:u", new Limits(3, 0, 2), new Budget(Money.ofUsd("0.4"), Period.LIFETIME, List.of())));

    sealed interface Step {
    }

    /** @param scopes a non-empty subset of {@link #SCOPES}, as a bit mask */
    record Admit(int scopes, long tokens, long costNanos, long ttlSeconds) implements Step {
    }

    /** Settles the {@code which}-th live reservation with {@code percent} of its reserved cost. */
    record Settle(int which, int percent, long tokens) implements Step {
    }

    record Advance(long millis) implements Step {
    }

    @Property(tries = 300)
    void budgetsRateLimitsAndReservationsHold(@ForAll("steps") List<Step> steps) {
        LocalQuotaStore store = new LocalQuotaStore(ZONE);
        Instant now = START;
        List<Held> held = new ArrayList<>();
        Map<String, List<Instant>> grants = new HashMap<>();
        int ids = 0;
        for (Step step : steps) {
            switch (step) {
                case Advance advance -> now = now.plusMillis(advance.millis());
                case Admit admit -> {
                    Demand demand = new Demand("r" + ids++, checks(admit.scopes(), now), admit.tokens(),
                            new Money(admit.costNanos()), now, Duration.ofSeconds(admit.ttlSeconds()));
                    if (join(store.admit(demand)) instanceof Admission.Granted granted) {
                        held.add(new Held(granted.reservation(), demand));
                        for (QuotaCheck check : demand.checks()) {
                            grants.computeIfAbsent(check.scope(), s -> new ArrayList<>()).add(now);
                        }
                    }
                }
                case Settle settle -> {
                    // A request whose lease ran out belongs to a dead replica: it never settles.
                    Instant at = now;
                    held.removeIf(h -> !h.expiresAt().isAfter(at));
                    if (!held.isEmpty()) {
                        Held h = held.remove(settle.which() % held.size());
                        long cost = h.demand().cost().nanos() * settle.percent() / 100;
                        join(h.reservation().settle(settle.tokens(), new Money(cost), now));
                    }
                }
            }
            assertBudgetsHold(store, now);
        }
        assertNoMinuteExceedsItsLimit(grants);

        Instant afterAllLeases = now.plus(MAX_TTL);
        for (Scope scope : SCOPES) {
            ScopeUsage usage = join(store.usage(scope.check(afterAllLeases), afterAllLeases));
            assertThat(usage.concurrent()).as("slots of %s", scope.name()).isZero();
            assertThat(usage.reserved()).as("reserved on %s", scope.name()).isEqualTo(Money.ZERO);
        }
    }

    private static void assertBudgetsHold(LocalQuotaStore store, Instant now) {
        for (Scope scope : SCOPES) {
            ScopeUsage usage = join(store.usage(scope.check(now), now));
            assertThat(usage.spent().plus(usage.reserved())).as("spent + reserved of %s", scope.name())
                    .isLessThanOrEqualTo(scope.budget().limit());
            if (scope.limits().concurrent() > 0) {
                assertThat(usage.concurrent()).isLessThanOrEqualTo(scope.limits().concurrent());
            }
        }
    }

    static void assertNoMinuteExceedsItsLimit(Map<String, List<Instant>> grants) {
        for (Scope scope : SCOPES) {
            List<Instant> times = grants.getOrDefault(scope.name(), List.of()).stream().sorted().toList();
            for (int i = 0; i < times.size(); i++) {
                Instant end = times.get(i).plusSeconds(60);
                long inMinute = 0;
                for (int j = i; j < times.size() && times.get(j).isBefore(end); j++) {
                    inMinute++;
                }
                assertThat(inMinute).as("grants of %s in the minute from %s", scope.name(), times.get(i))
                        .isLessThanOrEqualTo(scope.limits().rpm());
            }
        }
    }

    static List<QuotaCheck> checks(int mask, Instant now) {
        List<QuotaCheck> checks = new ArrayList<>(3);
        for (int i = 0; i < SCOPES.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                checks.add(SCOPES.get(i).check(now));
            }
        }
        return checks;
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> admit = Combinators.combine(
                        Arbitraries.integers().between(1, 7),
                        Arbitraries.longs().between(0, 1500),
                        Arbitraries.longs().between(0, 300_000_000),
                        Arbitraries.longs().between(1, MAX_TTL.toSeconds()))
                .as(Admit::new);
        Arbitrary<Step> settle = Combinators.combine(
                        Arbitraries.integers().between(0, 50),
                        Arbitraries.integers().between(0, 100),
                        Arbitraries.longs().between(0, 2000))
                .as(Settle::new);
        Arbitrary<Step> advance = Arbitraries.longs().between(0, 40_000).map(Advance::new);
        return Arbitraries.frequencyOf(Tuple.of(6, admit), Tuple.of(4, settle), Tuple.of(2, advance))
                .list().ofMinSize(1).ofMaxSize(150);
    }

    static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    record Scope(String name, Limits limits, Budget budget) {
        QuotaCheck check(Instant now) {
            return new QuotaCheck(name, limits, budget, budget.period().window(now, ZONE));
        }
    }

    private record Held(Reservation reservation, Demand demand) {
        Instant expiresAt() {
            return demand.now().plus(demand.leaseTtl());
        }
    }
}
