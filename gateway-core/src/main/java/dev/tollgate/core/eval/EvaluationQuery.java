package dev.tollgate.core.eval;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A listing of evaluation results, newest first.
 *
 * @param evaluator only this evaluator's, or null for all
 * @param model only results on this model group, or null for all
 * @param outcome only this outcome, or null for all
 * @param minScore only scores at or above this, or null (a bound on the score leaves out results without one)
 * @param maxScore only scores at or below this, or null
 * @param flagged only flagged (true) or unflagged (false) results, or null for both
 * @param since only those at or after this instant
 * @param before only those before this instant: the {@code at} of a page's last result gives the next page
 * @param limit at most this many
 */
public record EvaluationQuery(String evaluator, String model, EvalOutcome outcome, Double minScore, Double maxScore,
                              Boolean flagged, Instant since, Instant before, int limit) {
    public static final int MAX_LIMIT = 1_000;

    public EvaluationQuery {
        requireNonNull(since, "since");
        requireNonNull(before, "before");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit runs from 1 to " + MAX_LIMIT);
        }
    }
}
