package dev.tollgate.core.spi;

import static java.util.Objects.requireNonNull;

/**
 * Replace bytes {@code [start, end)} of a client's body with {@code replacement}: how a same-dialect passthrough
 * edits a body (the model name, a usage request) without rebuilding it. Lists of splices are sorted and do not
 * overlap; {@code start == end} inserts.
 */
public record Splice(int start, int end, byte[] replacement) {
    public Splice {
        requireNonNull(replacement, "replacement");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad splice range [" + start + ", " + end + ")");
        }
    }
}
