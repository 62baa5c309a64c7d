package dev.tollgate.server.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewSample;
import dev.tollgate.server.testing.NoMetrics;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ReviewWriterTest {

    /** Counts review samples by result. */
    static final class Counted extends NoMetrics {
        final AtomicLong written = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();

        @Override
        public void reviewSamples(String result, long samples) {
            (result.equals("written") ? written : dropped).addAndGet(samples);
        }
    }

    /** A store whose writes wait for a latch, or fail; it keeps what it was given. */
    static final class SlowStore extends StubQualityStore {
        final CountDownLatch open = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final List<ReviewSample> saved = new CopyOnWriteArrayList<>();
        volatile boolean failing;

        @Override
        public void saveReviews(List<ReviewSample> samples) throws Exception {
            entered.countDown();
            open.await();
            if (failing) {
                throw new java.sql.SQLException("down");
            }
            saved.addAll(samples);
        }
    }

    private static void offer(ReviewWriter writer, String id, String prompt) {
        writer.offer(new RequestFacts(id, id, Instant.EPOCH, "k", null, "m", null, null, null), "m/d", Usage.UNKNOWN,
                Money.ZERO, 1, false, new ReviewDraft(prompt, false, "answer", false, 100));
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        var metrics = new Counted();
        var store = new SlowStore();
        try (var writer = new ReviewWriter(store, metrics, new PiiRedactor(PiiDetector.all()), 2).start()) {
            offer(writer, "r0", "first");
            assertThat(store.entered.await(5, TimeUnit.SECONDS)).isTrue(); // the writer holds r0, the queue is empty
            offer(writer, "r1", "a");
            offer(writer, "r2", "b");
            offer(writer, "r3", "c"); // the queue holds two: dropped
            offer(writer, "r4", "d"); // dropped
            assertThat(metrics.dropped.get()).isEqualTo(2);
            store.open.countDown();
        }
        assertThat(metrics.written.get()).isEqualTo(3);
        assertThat(store.saved).extracting(s -> s.request().requestId()).containsExactly("r0", "r1", "r2");
    }

    @Test
    void samplesAreRedactedAndCutOnTheWritersThreadAndAFailingStoreCountsThemDropped() throws Exception {
        var metrics = new Counted();
        var store = new SlowStore();
        store.open.countDown();
        try (var writer = new ReviewWriter(store, metrics, new PiiRedactor(PiiDetector.all()), 8).start()) {
            offer(writer, "r0", "mail jane@example.com " + "x".repeat(200));
            for (int i = 0; i < 100 && metrics.written.get() == 0; i++) {
                Thread.sleep(20);
            }
            store.failing = true;
            offer(writer, "r1", "lost");
        }
        assertThat(metrics.written.get()).isEqualTo(1);
        assertThat(metrics.dropped.get()).isEqualTo(1);
        ReviewSample kept = store.saved.getFirst();
        assertThat(kept.prompt().text()).startsWith("mail [EMAIL] xxx").hasSize(100);
        assertThat(kept.prompt().truncated()).isTrue();
        assertThat(kept.prompt().redactions()).isEqualTo(1);
    }
}
