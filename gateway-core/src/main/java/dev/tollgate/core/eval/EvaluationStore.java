package dev.tollgate.core.eval;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where evaluation results are kept: the spend ledger's database, beside the review samples. Stages run on the
 * store's own threads and never block their caller; {@link #saveEvaluations} blocks and is called by the evaluation
 * writer's thread only. Thread-safe.
 */
public interface EvaluationStore {

    /**
     * Stores results in one transaction. Blocks.
     *
     * @throws Exception when the database fails; the caller counts the batch as dropped
     */
    void saveEvaluations(List<EvaluationResult> results) throws Exception;

    /** Results matching {@code query}, newest first. */
    CompletionStage<List<EvaluationResult>> evaluations(EvaluationQuery query);

    /** Deletes results from before {@code before}; completes with how many went. */
    CompletionStage<Integer> pruneEvaluations(Instant before);
}
