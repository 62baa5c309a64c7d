package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

/** Thrown by decoders for input that cannot become a canonical value; carries the error the client gets. */
public final class GatewayException extends RuntimeException {
    private final transient GatewayError error;

    public GatewayException(GatewayError error) {
        super(error.message(), null, false, false);
        this.error = requireNonNull(error, "error");
    }

    public GatewayError error() {
        return error;
    }
}
