package dev.tollgate.core.guard;

import java.util.Locale;

/** Where a guardrail runs: on the client's request, or on the model's answer. */
public enum GuardStage {
    INPUT,
    OUTPUT;

    /** The lower-case name used in logs and metrics. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
