package dev.tollgate.core.quality;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pii.PiiRedactor;

/**
 * A text as the review store keeps it: redacted, then cut at a length.
 *
 * @param truncated whether the end was cut off
 * @param redactions how many findings were replaced
 */
public record ReviewText(String text, boolean truncated, int redactions) {
    public static final ReviewText EMPTY = new ReviewText("", false, 0);

    public ReviewText {
        requireNonNull(text, "text");
    }

    /**
     * Redacts, then cuts at {@code maxChars} (never inside a surrogate pair). Redacting first means a secret
     * that straddles the cut is still recognised, and a placeholder is never half-kept.
     */
    public static ReviewText of(String raw, PiiRedactor redactor, int maxChars) {
        var redacted = redactor.redact(raw);
        String text = redacted.text();
        if (text.length() <= maxChars) {
            return new ReviewText(text, false, redacted.findings().size());
        }
        int end = Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return new ReviewText(text.substring(0, end), true, redacted.findings().size());
    }
}
