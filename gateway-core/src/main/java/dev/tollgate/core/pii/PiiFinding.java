package dev.tollgate.core.pii;

import static java.util.Objects.requireNonNull;

/**
 * One piece of personal data or one secret found in a text: its type and where it is, as UTF-16 offsets into
 * the text that was scanned ({@code start} inclusive, {@code end} exclusive). Never holds the matched text, so a
 * finding can be logged or counted without leaking what it found.
 */
public record PiiFinding(PiiType type, int start, int end) {
    public PiiFinding {
        requireNonNull(type, "type");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("a finding spans at least one character: " + start + ".." + end);
        }
    }

    public int length() {
        return end - start;
    }
}
