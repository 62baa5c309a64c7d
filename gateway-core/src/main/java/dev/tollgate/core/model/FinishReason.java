package dev.tollgate.core.model;

/** Why the model stopped. */
public enum FinishReason {
    STOP, LENGTH, TOOL_CALLS, CONTENT_FILTER
}
