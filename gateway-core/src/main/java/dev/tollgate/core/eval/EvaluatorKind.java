package dev.tollgate.core.eval;

import java.util.Locale;

/** What an evaluator does to produce a score; its config name is the lower-case constant. */
public enum EvaluatorKind {
    /** An LLM-as-judge call through the gateway, with a rubric. */
    JUDGE,
    /** The same request asked again, answers compared by embedding similarity. */
    CONSISTENCY,
    /** The guardrail detectors run on the answer as scorers, without blocking anything. */
    GUARDRAIL,
    /** Callers' own ratings from {@code POST /v1/feedback}. */
    FEEDBACK,
    /** A shipped set of paired prompts, run on a schedule against model groups. */
    BIAS;

    /** The config's and the metrics' name. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
