package dev.tollgate.core.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quality.ReviewSettings;
import java.lang.management.ManagementFactory;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EvalSamplingTest {
    private static final String SPEND_ID = "req_019a2b3c4d5e6f708192a3b4c5d6e7f8a9";

    @Test
    void eachEvaluatorDrawsOnItsNameAndTheSpendId() {
        var sampling = new EvalSampling(0.5, Set.of(), Set.of(), Set.of());
        for (int i = 0; i < 500; i++) {
            String spendId = SPEND_ID + i;
            assertThat(sampling.sampled("faithfulness", spendId))
                    .isEqualTo(ReviewSettings.position("faithfulness\n" + spendId) < 0.5);
        }
    }

    /**
     * Every request in an evaluator's scope is drawn on the event loop, sampled or not: the draw allocates nothing
     * (a joined name and id would be tens of bytes a request, for each evaluator).
     */
    @Test
    void aDrawAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var sampling = new EvalSampling(0.01, Set.of(), Set.of(), Set.of());
        int hits = 0;
        for (int i = 0; i < 20_000; i++) {
            hits += sampling.sampled("faithfulness", SPEND_ID) ? 1 : 0; // warmed up: compiled, as on a busy loop
        }
        long thread = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            hits += sampling.sampled("faithfulness", SPEND_ID) ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(allocated).as("bytes allocated by 100000 draws").isLessThan(100_000);
        assertThat(hits).isIn(0, 120_000); // one id: drawn always or never
    }
}
