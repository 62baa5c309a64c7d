package dev.tollgate.core.model;

/**
 * The closed set of ways an exchange can fail, each with who is at fault, the HTTP status a client gets by default,
 * and whether another attempt (same or other deployment) can help.
 */
public enum ErrorKind {
    INVALID_REQUEST(Fault.CALLER, 400, false),
    UNAUTHENTICATED(Fault.CALLER, 401, false),
    PERMISSION_DENIED(Fault.CALLER, 403, false),
    NOT_FOUND(Fault.CALLER, 404, false),
    MODEL_NOT_FOUND(Fault.CALLER, 404, false),
    METHOD_NOT_ALLOWED(Fault.CALLER, 405, false),
    REQUEST_TIMEOUT(Fault.CALLER, 408, false),
    PAYLOAD_TOO_LARGE(Fault.CALLER, 413, false),
    URI_TOO_LONG(Fault.CALLER, 414, false),
    UNSUPPORTED_MEDIA_TYPE(Fault.CALLER, 415, false),
    HEADERS_TOO_LARGE(Fault.CALLER, 431, false),
    CLIENT_CANCELLED(Fault.CALLER, 499, false),

    RATE_LIMITED(Fault.POLICY, 429, false),
    BUDGET_EXCEEDED(Fault.POLICY, 429, false),
    GUARDRAIL_BLOCKED(Fault.POLICY, 400, false),

    PROVIDER_BAD_REQUEST(Fault.PROVIDER, 400, false),
    PROVIDER_AUTH(Fault.PROVIDER, 401, false),
    PROVIDER_RATE_LIMITED(Fault.PROVIDER, 429, true),
    PROVIDER_OVERLOADED(Fault.PROVIDER, 503, true),
    PROVIDER_TIMEOUT(Fault.PROVIDER, 504, true),
    PROVIDER_UNREACHABLE(Fault.PROVIDER, 502, true),
    PROVIDER_ERROR(Fault.PROVIDER, 502, true),
    CONTEXT_TOO_LONG(Fault.PROVIDER, 400, false),
    /** The provider refused the request or its answer by its content policy. */
    CONTENT_FILTERED(Fault.PROVIDER, 400, false),

    INTERNAL(Fault.GATEWAY, 500, false),
    GATEWAY_OVERLOADED(Fault.GATEWAY, 503, false);

    private final Fault fault;
    private final int status;
    private final boolean retryable;

    ErrorKind(Fault fault, int status, boolean retryable) {
        this.fault = fault;
        this.status = status;
        this.retryable = retryable;
    }

    public Fault fault() {
        return fault;
    }

    public int defaultStatus() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The lower-case name used in metrics labels and logs ({@code error.type}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
