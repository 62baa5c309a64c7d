package dev.tollgate.core.guard;

import static java.util.Objects.requireNonNull;

/**
 * A stretch of text a check found, as UTF-16 offsets ({@code start} inclusive, {@code end} exclusive), and the
 * placeholder a redaction puts in its place.
 */
public record Span(int start, int end, String placeholder) {
    public Span {
        requireNonNull(placeholder, "placeholder");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("a span covers at least one character: " + start + ".." + end);
        }
    }
}
