package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.QualityStore;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewQuery;
import dev.tollgate.core.quality.ReviewRecord;
import dev.tollgate.core.quality.ReviewSample;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Feedback and review samples in the ledger's database. Reads and feedback writes run on the ledger's reader
 * threads (one small statement each, so they never wait behind the spend writer's batches); review batches are
 * written by the caller's thread, which is the review writer's own.
 */
final class JdbcQualityStore implements QualityStore {
    private final LedgerDatabase database;

    JdbcQualityStore(LedgerDatabase database) {
        this.database = requireNonNull(database, "database");
    }

    @Override
    public CompletionStage<RequestFacts> findRequest(String requestId, String key) {
        requireNonNull(requestId, "requestId");
        return database.onReaders(c -> FeedbackTable.findRequest(c, requestId, key));
    }

    @Override
    public CompletionStage<Void> saveFeedback(Feedback feedback) {
        requireNonNull(feedback, "feedback");
        return database.onReaders(c -> {
            FeedbackTable.save(c, feedback);
            return null;
        });
    }

    @Override
    public CompletionStage<List<Feedback>> feedback(ReviewQuery query) {
        requireNonNull(query, "query");
        return database.onReaders(c -> FeedbackTable.list(c, query));
    }

    @Override
    public void saveReviews(List<ReviewSample> samples) throws Exception {
        database.insertNow(samples, ReviewTable::insert);
    }

    @Override
    public CompletionStage<List<ReviewRecord>> reviews(ReviewQuery query) {
        requireNonNull(query, "query");
        return database.onReaders(c -> ReviewTable.list(c, query));
    }

    @Override
    public CompletionStage<Integer> pruneReviews(Instant before) {
        requireNonNull(before, "before");
        return database.onReaders(c -> ReviewTable.prune(c, before));
    }
}
