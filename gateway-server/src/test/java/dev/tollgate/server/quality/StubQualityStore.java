package dev.tollgate.server.quality;

import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.QualityStore;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewQuery;
import dev.tollgate.core.quality.ReviewRecord;
import dev.tollgate.core.quality.ReviewSample;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** A quality store for tests that use a part of it: what a test does not override fails loudly if called. */
abstract class StubQualityStore implements QualityStore {
    @Override
    public CompletionStage<RequestFacts> findRequest(String requestId, String key) {
        throw new UnsupportedOperationException("findRequest");
    }

    @Override
    public CompletionStage<Void> saveFeedback(Feedback feedback) {
        throw new UnsupportedOperationException("saveFeedback");
    }

    @Override
    public CompletionStage<List<Feedback>> feedback(ReviewQuery query) {
        throw new UnsupportedOperationException("feedback");
    }

    @Override
    public void saveReviews(List<ReviewSample> samples) throws Exception {
        throw new UnsupportedOperationException("saveReviews");
    }

    @Override
    public CompletionStage<List<ReviewRecord>> reviews(ReviewQuery query) {
        throw new UnsupportedOperationException("reviews");
    }

    @Override
    public CompletionStage<Integer> pruneReviews(Instant before) {
        throw new UnsupportedOperationException("pruneReviews");
    }
}
