package dev.tollgate.core.guard;

/**
 * Prompt-injection and jailbreak screening: the text's score from the maintained rule set
 * ({@link InjectionRules}) against a threshold. Judges a text as a whole, so it can block or flag, not redact.
 *
 * @param threshold the score (0 to 1) at or above which the check fires
 */
public record InjectionCheck(double threshold) implements GuardCheck {
    /** One strong sign alone, or two weak ones together. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    public InjectionCheck {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1]: " + threshold);
        }
    }

    @Override
    public String kind() {
        return "injection";
    }

    @Override
    public Finding scan(String text) {
        return score(text) >= threshold ? Finding.WHOLE : Finding.NONE;
    }

    /** The text's injection score, 0 (no sign) to 1. */
    public static double score(String text) {
        return InjectionRules.score(text);
    }

    @Override
    public boolean locates() {
        return false;
    }
}
