package dev.tollgate.server.testing;

import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluatorKind;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.quality.RequestFacts;
import java.time.Instant;

/** Evaluation results for store, admin and CLI tests. */
public final class EvaluationResults {
    private EvaluationResults() {}

    /**
     * A judge's score of request {@code spendId} on {@code model}, ended at {@code at}; flagged below 0.5, as the
     * default threshold would.
     */
    public static EvaluationResult scored(String spendId, Instant at, String evaluator, String model, double score) {
        var request = new RequestFacts("client-" + spendId, spendId, at.minusSeconds(5), "app", "team-a", model,
                null, null, null);
        return new EvaluationResult(request, at, evaluator, EvaluatorKind.JUDGE, "faithfulness", EvalOutcome.SCORED,
                score, score < 0.5, "reason for " + spendId, "user: question", "the answer", new Money(1_500),
                null);
    }

    /** A judgement without a score: the judge's reply did not read. */
    public static EvaluationResult unparseable(String spendId, Instant at, String evaluator, String model) {
        var request = new RequestFacts(spendId, spendId, at.minusSeconds(1), null, null, model, null, null, null);
        return new EvaluationResult(request, at, evaluator, EvaluatorKind.JUDGE, "toxicity",
                EvalOutcome.UNPARSEABLE, null, false, null, null, null, Money.ZERO, "no verdict object");
    }

    /** Every field set, and unusual: a registry prompt in an experiment, a tier, a variant, a NUL in a text. */
    public static EvaluationResult unusual(String spendId, Instant at) {
        var request = new RequestFacts("client-" + spendId, spendId, at.minusMillis(1_234), "k-odd", "t-odd",
                "claude", "premium", "canary/claude", new PromptUse("support-answer", 3, "production", "tone", "b"));
        return new EvaluationResult(request, at, "stable", EvaluatorKind.CONSISTENCY, "consistency",
                EvalOutcome.SCORED, 0.125, true, "similarity 0.12 \u00e9\u0000", "user: hi [EMAIL]",
                "hello \uD83D\uDE00", new Money(123_456_789), "samples=2");
    }
}
