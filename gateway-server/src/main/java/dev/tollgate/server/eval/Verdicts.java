package dev.tollgate.server.eval;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewText;
import java.time.Clock;

/**
 * Makes result rows as they are stored and shown: every text PII-redacted with the gateway's redactor and cut (the
 * prompt and answer to {@code evaluation.max_chars}, the rationale and detail to their own bounds), the flag set
 * from the evaluator's threshold. Thread-safe.
 */
final class Verdicts {
    private final PiiRedactor redactor;
    private final Clock clock;

    Verdicts(PiiRedactor redactor, Clock clock) {
        this.redactor = requireNonNull(redactor, "redactor");
        this.clock = requireNonNull(clock, "clock");
    }

    /** What was scored, kept with the result: the prompt and answer as the evaluator saw them. */
    record Texts(String prompt, String answer) {
        static final Texts NONE = new Texts(null, null);
    }

    /** A score: flagged when below the evaluator's threshold. */
    EvaluationResult scored(RequestFacts request, Evaluator evaluator, double score, String rationale, Texts texts,
                            Money cost, int maxChars) {
        double bounded = Math.max(0, Math.min(1, score));
        return new EvaluationResult(request, clock.instant(), evaluator.name(), evaluator.kind(), evaluator.rubric(),
                EvalOutcome.SCORED, bounded, bounded < evaluator.threshold(), text(rationale,
                EvaluationResult.MAX_RATIONALE), text(texts.prompt(), maxChars), text(texts.answer(), maxChars), cost,
                null);
    }

    /** No score: an unreadable judgement, a refusal or a failed call, with what went wrong. */
    EvaluationResult unscored(RequestFacts request, Evaluator evaluator, EvalOutcome outcome, String detail,
                              Texts texts, Money cost, int maxChars) {
        return new EvaluationResult(request, clock.instant(), evaluator.name(), evaluator.kind(), evaluator.rubric(),
                outcome, null, false, null, text(texts.prompt(), maxChars), text(texts.answer(), maxChars), cost,
                text(detail, EvaluationResult.MAX_DETAIL));
    }

    private String text(String raw, int maxChars) {
        return raw == null ? null : ReviewText.of(raw, false, redactor, maxChars).text();
    }
}
