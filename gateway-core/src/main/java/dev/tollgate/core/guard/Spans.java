package dev.tollgate.core.guard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Operations on lists of {@link Span}s: ordering them apart, and replacing them. */
final class Spans {
    /** By start, then the longer first: where spans overlap, the one starting first wins, then the longer. */
    private static final Comparator<Span> ORDER = Comparator.comparingInt(Span::start)
            .thenComparing(Comparator.comparingInt(Span::end).reversed());

    private Spans() {}

    /** The spans ordered and with overlaps dropped (the earlier, then the longer, is kept). */
    static List<Span> disjoint(List<Span> spans) {
        if (spans.size() < 2) {
            return spans;
        }
        List<Span> sorted = new ArrayList<>(spans);
        sorted.sort(ORDER);
        List<Span> kept = new ArrayList<>(sorted.size());
        int covered = 0;
        for (Span s : sorted) {
            if (s.start() >= covered) {
                kept.add(s);
                covered = s.end();
            }
        }
        return kept;
    }

    /** {@code text} with each of the (disjoint, ordered) spans replaced by its placeholder. */
    static String replace(String text, List<Span> spans) {
        if (spans.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        for (Span s : spans) {
            out.append(text, copied, s.start()).append(s.placeholder());
            copied = s.end();
        }
        return out.append(text, copied, text.length()).toString();
    }
}
