package dev.tollgate.core.quality;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where feedback and review samples are kept and where requests are looked up for feedback: the spend ledger's
 * database. Every method returning a stage runs on the store's own threads and never blocks its caller;
 * {@link #saveReviews} blocks and is called by the review writer's thread only. Thread-safe.
 */
public interface QualityStore {

    /**
     * The newest request with client-facing id {@code requestId} made with key {@code key} (null: a request made
     * without a key, on an open gateway); completes with null when there is none. Another key's request with the
     * same id is never returned.
     */
    CompletionStage<RequestFacts> findRequest(String requestId, String key);

    /** Stores feedback, replacing any earlier feedback on the same request. */
    CompletionStage<Void> saveFeedback(Feedback feedback);

    /** Feedback received at or after {@code query.since()}, newest first. */
    CompletionStage<List<Feedback>> feedback(ReviewQuery query);

    /**
     * Stores samples in one transaction; a sample already stored (same request) is skipped. Blocks.
     *
     * @throws Exception when the database fails; the caller counts the batch as dropped
     */
    void saveReviews(List<ReviewSample> samples) throws Exception;

    /** Samples of requests at or after {@code query.since()}, newest first, each with its feedback. */
    CompletionStage<List<ReviewRecord>> reviews(ReviewQuery query);

    /** Deletes samples of requests before {@code before}; completes with how many went. */
    CompletionStage<Integer> pruneReviews(Instant before);
}
