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

/**
 * Writes review samples to the store through a {@link BatchWriter}: {@link #offer} never blocks, and a sample the
 * full queue or a failing database cannot take is dropped and counted
 * ({@code tollgate_review_samples_total{result="dropped"}}), since review is best effort and must never slow or
 * grow the gateway. Redaction runs on the writer's thread too.
 */
public final class ReviewWriter implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 1_024;

    /** A sample as queued: the facts and numbers of the request, and its raw (bounded) texts. */
    private record Pending(RequestFacts request, String deployment, Usage usage, Money cost, long latencyMillis,
                           boolean stream, ReviewDraft draft) {}

    private final QualityStore store;
    private final GatewayMetrics metrics;
    private final PiiRedactor redactor;
    private final BatchWriter<Pending> writer;

    public ReviewWriter(QualityStore store, GatewayMetrics metrics, PiiRedactor redactor, int capacity) {
        this.store = requireNonNull(store, "store");
        this.metrics = requireNonNull(metrics, "metrics");
        this.redactor = requireNonNull(redactor, "redactor");
        this.writer = new BatchWriter<>("tollgate-review-writer", "review samples", capacity, this::write,
                dropped -> metrics.reviewSamples("dropped", dropped.size()));
    }

    public ReviewWriter start() {
        writer.start();
        return this;
    }

    /** Queues a sample, or drops and counts it when the queue is full. Never blocks. */
    public void offer(RequestFacts request, String deployment, Usage usage, Money cost, long latencyMillis,
                      boolean stream, ReviewDraft draft) {
        writer.offer(new Pending(request, deployment, usage, cost, latencyMillis, stream, draft));
    }

    private void write(List<Pending> batch) throws Exception {
        List<ReviewSample> samples = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            int max = p.draft().maxChars();
            samples.add(new ReviewSample(p.request(), p.deployment(), p.usage(), p.cost(), p.latencyMillis(),
                    p.stream(), ReviewText.of(p.draft().prompt(), p.draft().promptCut(), redactor, max),
                    ReviewText.of(p.draft().answer(), p.draft().answerCut(), redactor, max)));
        }
        store.saveReviews(samples);
        metrics.reviewSamples("written", samples.size());
    }

    /** Writes what is queued (waiting a few seconds at most), then stops. */
    @Override
    public void close() {
        writer.close();
    }
}
