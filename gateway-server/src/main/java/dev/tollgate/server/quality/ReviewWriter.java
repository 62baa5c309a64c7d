package dev.tollgate.server.quality;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.quality.QualityStore;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewSample;
import dev.tollgate.core.quality.ReviewText;
import dev.tollgate.core.pricing.Money;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes review samples to the store on a thread of its own, through a bounded queue: {@link #offer} never blocks
 * (it is called on event loops), and when the queue is full the sample is dropped and counted
 * ({@code tollgate_review_samples_total{result="dropped"}}), since review is best effort and must never slow or
 * grow the gateway. Redaction runs on the writer's thread too. Samples a failing database refuses are dropped and
 * counted the same way (unlike spend rows they are not worth a spill file).
 */
public final class ReviewWriter implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 1_024;
    private static final int BATCH = 64;
    private static final Logger LOG = Logger.getLogger(ReviewWriter.class.getName());

    /** A sample as queued: the facts and numbers of the request, and its raw (bounded) texts. */
    private record Pending(RequestFacts request, String deployment, Usage usage, Money cost, long latencyMillis,
                           boolean stream, ReviewDraft draft) {}

    private final BlockingQueue<Pending> queue;
    private final QualityStore store;
    private final GatewayMetrics metrics;
    private final PiiRedactor redactor;
    private final Thread thread;
    private volatile boolean closing;

    public ReviewWriter(QualityStore store, GatewayMetrics metrics, PiiRedactor redactor, int capacity) {
        this.store = requireNonNull(store, "store");
        this.metrics = requireNonNull(metrics, "metrics");
        this.redactor = requireNonNull(redactor, "redactor");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = Thread.ofPlatform().daemon().name("tollgate-review-writer").unstarted(this::run);
    }

    public ReviewWriter start() {
        thread.start();
        return this;
    }

    /** Queues a sample, or drops and counts it when the queue is full. Never blocks. */
    public void offer(RequestFacts request, String deployment, Usage usage, Money cost, long latencyMillis,
                      boolean stream, ReviewDraft draft) {
        if (closing || !queue.offer(new Pending(request, deployment, usage, cost, latencyMillis, stream, draft))) {
            metrics.reviewSamples("dropped", 1);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        try {
            List<ReviewSample> samples = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                int max = p.draft().maxChars();
                samples.add(new ReviewSample(p.request(), p.deployment(), p.usage(), p.cost(), p.latencyMillis(),
                        p.stream(), ReviewText.of(p.draft().prompt(), p.draft().promptCut(), redactor, max),
                        ReviewText.of(p.draft().answer(), p.draft().answerCut(), redactor, max)));
            }
            store.saveReviews(samples);
            metrics.reviewSamples("written", samples.size());
        } catch (Exception e) {
            // Never the texts in the log: they are what redaction is for.
            LOG.log(Level.WARNING, batch.size() + " review samples dropped: they could not be stored: " + e);
            metrics.reviewSamples("dropped", batch.size());
        }
    }

    /** Writes what is queued (waiting a few seconds at most), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }
}
