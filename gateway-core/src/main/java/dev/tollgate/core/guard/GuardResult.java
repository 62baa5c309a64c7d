package dev.tollgate.core.guard;

import java.util.Locale;

/** What one guardrail's check came to for one request or answer: the metric's {@code result} label. */
public enum GuardResult {
    PASS,
    FLAG,
    REDACT,
    BLOCK;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static GuardResult of(GuardAction action) {
        return switch (action) {
            case REDACT -> REDACT;
            case BLOCK -> BLOCK;
            case FLAG -> FLAG;
        };
    }
}
