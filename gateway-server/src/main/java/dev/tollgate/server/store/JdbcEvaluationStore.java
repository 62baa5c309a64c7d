package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.eval.EvaluationQuery;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluationStore;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Evaluation results in the ledger's database. Listings and pruning run on the ledger's reader threads; batches
 * are written by the caller's thread, which is the evaluation writer's own.
 */
final class JdbcEvaluationStore implements EvaluationStore {
    private final LedgerDatabase database;

    JdbcEvaluationStore(LedgerDatabase database) {
        this.database = requireNonNull(database, "database");
    }

    @Override
    public void saveEvaluations(List<EvaluationResult> results) throws Exception {
        database.insertNow(results, EvaluationTable::insert);
    }

    @Override
    public CompletionStage<List<EvaluationResult>> evaluations(EvaluationQuery query) {
        requireNonNull(query, "query");
        return database.onReaders(c -> EvaluationTable.list(c, query));
    }

    @Override
    public CompletionStage<Integer> pruneEvaluations(Instant before) {
        requireNonNull(before, "before");
        return database.onReaders(c -> EvaluationTable.prune(c, before));
    }
}
