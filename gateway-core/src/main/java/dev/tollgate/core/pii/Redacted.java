package dev.tollgate.core.pii;

import java.util.List;

/**
 * A text with every finding replaced by its type's placeholder.
 *
 * @param text the redacted text
 * @param findings what was replaced, in order, with spans into the <em>original</em> text
 */
public record Redacted(String text, List<PiiFinding> findings) {
    public Redacted {
        findings = List.copyOf(findings);
    }

    /** Whether anything was replaced. */
    public boolean changed() {
        return !findings.isEmpty();
    }
}
