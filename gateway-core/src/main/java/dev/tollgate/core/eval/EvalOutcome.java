package dev.tollgate.core.eval;

import java.util.Locale;

/**
 * How one evaluation of one request ended. Only {@link #SCORED} carries a score: a judgement that does not read is
 * counted as what it is, never guessed into a number.
 */
public enum EvalOutcome {
    /** A score was produced. */
    SCORED,
    /** The judge answered, but not in the required shape. */
    UNPARSEABLE,
    /** The judge declined to judge (a refusal or a content filter). */
    REFUSED,
    /** A call the evaluation needed failed (an error status, a timeout, a budget refusal). */
    FAILED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
