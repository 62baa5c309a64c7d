package dev.tollgate.core.guard;

import java.util.Locale;

/** What a guardrail does when its check finds something. */
public enum GuardAction {
    /** The finding is replaced by a placeholder and the text goes on. */
    REDACT,
    /** The request (or answer) is refused with {@code content_blocked}. */
    BLOCK,
    /** The finding is logged and counted; the text goes on unchanged. */
    FLAG;

    /** The lower-case name used in config, logs and metrics. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
