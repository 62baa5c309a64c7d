package dev.tollgate.core.guard;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiFinding;
import dev.tollgate.core.pii.PiiType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Personal data and secrets of the configured types, found by {@link PiiDetector}; each replaced by its type's
 * placeholder.
 */
public record PiiCheck(Set<PiiType> types, PiiDetector detector) implements GuardCheck {
    public PiiCheck {
        types = Set.copyOf(types);
        requireNonNull(detector, "detector");
    }

    public static PiiCheck of(Set<PiiType> types) {
        return new PiiCheck(types, PiiDetector.of(types));
    }

    @Override
    public String kind() {
        return "pii";
    }

    @Override
    public Finding scan(String text) {
        List<PiiFinding> found = detector.find(text);
        if (found.isEmpty()) {
            return Finding.NONE;
        }
        List<Span> spans = new ArrayList<>(found.size());
        for (PiiFinding f : found) {
            spans.add(new Span(f.start(), f.end(), f.type().placeholder()));
        }
        return Finding.of(spans);
    }

    @Override
    public boolean locates() {
        return true;
    }
}
