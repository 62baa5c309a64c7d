package dev.tollgate.core.quality;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pii.PiiFinding;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.pii.Redacted;
import java.util.List;

/**
 * A text as the review store keeps it: redacted, then cut at a length.
 *
 * @param truncated whether the end was cut off
 * @param redactions how many findings were replaced
 */
public record ReviewText(String text, boolean truncated, int redactions) {
    public static final ReviewText EMPTY = new ReviewText("", false, 0);
    /**
     * Longer than any single finding (a PEM block is the longest): how far past what is kept a text that was cut
     * before redaction must reach, so that a secret across the cut is still whole when the redactor sees it.
     */
    public static final int REDACTION_MARGIN = 16_384;

    public ReviewText {
        requireNonNull(text, "text");
    }

    /**
     * Redacts, then cuts at {@code maxChars} (never inside a surrogate pair). Redacting first means a secret
     * that straddles the cut is still recognised: what the cut may halve is its placeholder, never the secret.
     *
     * @param alreadyCut whether {@code raw} is itself only the beginning of the text. It is then marked truncated
     *     even when redaction leaves it shorter than {@code maxChars}, and nothing from its last
     *     {@link #REDACTION_MARGIN} characters is kept: a secret there may have been cut before the redactor saw it,
     *     and gone unrecognised
     */
    public static ReviewText of(String raw, boolean alreadyCut, PiiRedactor redactor, int maxChars) {
        Redacted redacted = redactor.redact(raw);
        String text = redacted.text();
        int keep = maxChars;
        if (alreadyCut) {
            keep = Math.min(keep, redactedOffset(redacted.findings(), Math.max(0, raw.length() - REDACTION_MARGIN)));
        }
        if (text.length() <= keep) {
            return new ReviewText(text, alreadyCut, redacted.findings().size());
        }
        int end = keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1)) ? keep - 1 : keep;
        return new ReviewText(text.substring(0, end), true, redacted.findings().size());
    }

    /** Where offset {@code raw} of the original lands in the redacted text; a finding across it is kept whole. */
    private static int redactedOffset(List<PiiFinding> findings, int raw) {
        int shift = 0;
        for (PiiFinding f : findings) {
            if (f.start() >= raw) {
                break;
            }
            int placeholder = f.type().placeholder().length();
            if (f.end() > raw) {
                return f.start() - shift + placeholder;
            }
            shift += f.length() - placeholder;
        }
        return raw - shift;
    }
}
