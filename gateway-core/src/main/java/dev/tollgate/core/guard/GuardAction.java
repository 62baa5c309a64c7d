package dev.tollgate.core.guard;

/** What a guardrail does when its check finds something. */
public enum GuardAction {
    /** The finding is replaced by a placeholder and the text goes on. */
    REDACT,
    /** The request (or answer) is refused with {@code content_blocked}. */
    BLOCK,
    /** The finding is logged and counted; the text goes on unchanged. */
    FLAG;
}
