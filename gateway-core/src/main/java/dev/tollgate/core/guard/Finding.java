package dev.tollgate.core.guard;

import java.util.List;

/**
 * What one check found in one text.
 *
 * @param hit whether the check fired
 * @param spans where, for a check that can say (PII, deny lists); empty for one that judges the text as a whole
 *     (injection screening, topics)
 */
public record Finding(boolean hit, List<Span> spans) {
    public static final Finding NONE = new Finding(false, List.of());
    /** A hit that concerns the whole text rather than a stretch of it. */
    public static final Finding WHOLE = new Finding(true, List.of());

    public Finding {
        spans = List.copyOf(spans);
    }

    static Finding of(List<Span> spans) {
        return spans.isEmpty() ? NONE : new Finding(true, spans);
    }
}
