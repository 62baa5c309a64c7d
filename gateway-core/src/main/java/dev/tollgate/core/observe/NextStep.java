package dev.tollgate.core.observe;

import java.util.Locale;

/** What a request did after one of its upstream attempts ended. */
public enum NextStep {
    /** Nothing: the attempt answered, or failed after the answer had started. */
    NONE,
    /** Tried the same deployment again. */
    RETRY_SAME,
    /** Tried another deployment of the same model. */
    NEXT_DEPLOYMENT,
    /** Tried a fallback model. */
    FALLBACK,
    /** Stopped and answered with the failure. */
    GAVE_UP;

    /** The metric label: the name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
