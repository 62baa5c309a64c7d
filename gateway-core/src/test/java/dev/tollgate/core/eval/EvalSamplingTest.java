package dev.tollgate.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import dev.tollgate.core.quality.ReviewSettings;
import java.lang.management.ManagementFactory;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An evaluator's draw: exact at 0 and 1, its own per evaluator, and free of allocation on the request path. */
class EvalSamplingTest {

    @Test
    void ratesZeroAndOneAreExactAndOthersAreRefused() {
        var never = new EvalSampling(0, Set.of(), Set.of(), Set.of());
        var always = new EvalSampling(1, Set.of(), Set.of(), Set.of());
        for (int i = 0; i < 1_000; i++) {
            assertThat(never.sampled("e", "spend_" + i)).isFalse();
            assertThat(always.sampled("e", "spend_" + i)).isTrue();
        }
        for (double bad : new double[] {-0.1, 1.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new EvalSampling(bad, Set.of(), Set.of(), Set.of()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aKeyScopeMatchesNoRequestWithoutAKey() {
        var scoped = new EvalSampling(1, Set.of(), Set.of("app"), Set.of());
        assertThat(scoped.matches("m", "app", "chat")).isTrue();
        assertThat(scoped.matches("m", null, "chat")).isFalse();
        assertThat(new EvalSampling(1, Set.of(), Set.of(), Set.of()).matches("m", null, "chat")).isTrue();
    }

    /** The salted position is the position of the joined text, ASCII or not: the draws stay what they were. */
    @Test
    void theDrawHashesTheEvaluatorAndTheIdAsOneText() {
        for (String[] pair : new String[][] {{"faithfulness", "req_0190a3f2"}, {"é-judge", "req_1"}, {"", ""},
            {"a", "réq\uD83D\uDE00"}}) {
            assertThat(ReviewSettings.position(pair[0], pair[1])).as(pair[0] + "/" + pair[1])
                    .isEqualTo(ReviewSettings.position(pair[0] + '\n' + pair[1]));
        }
    }

    /** Drawn for every evaluator on every sampled chat request: the draw must not allocate. */
    @Test
    void drawingAllocatesNothing() {
        var sampling = new EvalSampling(0.05, Set.of(), Set.of(), Set.of());
        var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        String id = "req_0190a3f2c4b5d6e7f8091a2b3c4d5e6f";
        int drawn = 0;
        for (int i = 0; i < 20_000; i++) { // warm up: the JIT's own work is not the method's
            drawn += sampling.sampled("faithfulness", id) ? 1 : 0;
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            drawn += sampling.sampled("faithfulness", id) ? 1 : 0;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 100,000 draws (%d drawn)", drawn).isLessThan(100_000);
    }
}
