package dev.tollgate.core.observe;

import java.util.Locale;

/** Whether a deployment can take requests, as its circuit breaker and cooldowns say. */
public enum DeploymentState {
    /** Taking requests. */
    CLOSED,
    /** Its circuit is open: skipped until probes are let through. */
    OPEN,
    /** Probes are let through; their outcome closes or reopens the circuit. */
    HALF_OPEN,
    /** Skipped after a 429 with a reset time, or while its provider reports its quota used up. */
    COOLING;

    /** The metric label: the name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
