package dev.tollgate.server.access;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.GatewayError;

/** The outcome of checking a request's key. */
public sealed interface Authentication {
    record Allowed(Caller caller) implements Authentication {
        public Allowed {
            requireNonNull(caller, "caller");
        }
    }

    /** 401 (no key, unknown, expired, revoked) or 403 (an endpoint outside the key's scope). */
    record Refused(GatewayError error) implements Authentication {
        public Refused {
            requireNonNull(error, "error");
        }
    }
}
