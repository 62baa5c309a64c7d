package dev.tollgate.core.pii;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Replaces what a {@link PiiDetector} finds with each type's placeholder ({@code [EMAIL]}, {@code [CREDIT_CARD]},
 * ...). Immutable and thread-safe.
 */
public final class PiiRedactor {
    private final PiiDetector detector;

    public PiiRedactor(PiiDetector detector) {
        this.detector = requireNonNull(detector, "detector");
    }

    /** Finds and replaces; a text without findings comes back as the same string. */
    public Redacted redact(String text) {
        List<PiiFinding> findings = detector.find(text);
        return new Redacted(apply(text, findings), findings);
    }

    /**
     * Replaces the given findings (ordered and not overlapping, as {@link PiiDetector#find} returns them) in
     * {@code text}: for callers that act on some findings only, e.g. a guardrail that redacts secrets and flags
     * the rest.
     *
     * @throws IllegalArgumentException when the findings overlap, are out of order or lie outside the text
     */
    public static String apply(String text, List<PiiFinding> findings) {
        if (findings.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        for (PiiFinding f : findings) {
            if (f.start() < copied || f.end() > text.length()) {
                throw new IllegalArgumentException("findings must be ordered, apart and within the text: " + f);
            }
            out.append(text, copied, f.start()).append(f.type().placeholder());
            copied = f.end();
        }
        return out.append(text, copied, text.length()).toString();
    }
}
