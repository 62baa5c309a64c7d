package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The single error currency: providers classify into it, dialects render it, metrics tag by it.
 *
 * @param httpStatus the status the client gets (an upstream's own status when relayed faithfully)
 * @param message safe to show the client: never a secret, a stack trace or an internal address
 * @param param the request field at fault, or null
 * @param code a stable machine-readable code (e.g. {@code model_not_found}), or null for the kind's default
 * @param retryAfter how long the caller should wait, or null
 */
public record GatewayError(ErrorKind kind, int httpStatus, String message, String param, String code, Duration retryAfter) {

    public GatewayError {
        requireNonNull(kind, "kind");
        requireNonNull(message, "message");
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("not an error status: " + httpStatus);
        }
    }

    public static GatewayError of(ErrorKind kind, String message) {
        return new GatewayError(kind, kind.defaultStatus(), message, null, null, null);
    }

    public static GatewayError invalid(String param, String code, String message) {
        return new GatewayError(ErrorKind.INVALID_REQUEST, 400, message, param, code, null);
    }

    public GatewayError withStatus(int status) {
        return new GatewayError(kind, status, message, param, code, retryAfter);
    }

    public GatewayError withRetryAfter(Duration after) {
        return new GatewayError(kind, httpStatus, message, param, code, after);
    }

    public boolean retryable() {
        return kind.retryable();
    }
}
