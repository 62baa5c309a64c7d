package dev.tollgate.core.eval;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quality.RequestFacts;
import java.time.Instant;

/**
 * One evaluator's verdict on one request (or, for a bias probe, on one pair of probe answers), as stored and shown.
 *
 * @param request what was scored: the live request's facts; for a bias probe, a row of its own whose request id
 *     is {@code bias:<probe id>}, whose model is the group probed and whose team is the evaluation team
 * @param at when the evaluation ended
 * @param rubric {@link Evaluator#rubric()}
 * @param score 0 (worst) to 1 (best) when {@code outcome} is {@link EvalOutcome#SCORED}; null otherwise
 * @param flagged whether the score is below the evaluator's threshold; false without a score
 * @param rationale why, in a sentence: the judge's reason, the guardrails that found something, the similarity;
 *     PII-redacted and bounded; null when there is none
 * @param prompt the scored prompt as the judge saw it, PII-redacted and cut; null when not kept
 * @param answer the scored answer, the same way; null when not kept
 * @param cost what the evaluation's own calls cost (charged to the evaluation team)
 * @param detail a short machine-readable note for non-scores (the status of a failed call, the reason a judgement
 *     did not read); null otherwise
 */
public record EvaluationResult(RequestFacts request, Instant at, String evaluator, EvaluatorKind kind, String rubric,
                               EvalOutcome outcome, Double score, boolean flagged, String rationale, String prompt,
                               String answer, Money cost, String detail) {
    public static final int MAX_RATIONALE = 1_000;
    public static final int MAX_DETAIL = 200;

    public EvaluationResult {
        requireNonNull(request, "request");
        requireNonNull(at, "at");
        requireNonNull(evaluator, "evaluator");
        requireNonNull(kind, "kind");
        requireNonNull(rubric, "rubric");
        requireNonNull(outcome, "outcome");
        requireNonNull(cost, "cost");
        if ((score != null) != (outcome == EvalOutcome.SCORED)) {
            throw new IllegalArgumentException("a score goes with the scored outcome, and only with it");
        }
        if (score != null && !(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("a score runs from 0 to 1, not " + score);
        }
        if (flagged && score == null) {
            throw new IllegalArgumentException("only a score can be flagged");
        }
    }
}
