package dev.tollgate.server.health;

import dev.tollgate.core.model.ErrorKind;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a circuit breaker records as a failed call: the error kind, as its message (the breaker's window keeps
 * only that a call failed, but its events and logs show the message). One shared instance per kind, without a
 * stack trace, since nothing ever throws it.
 */
final class UpstreamFailure extends RuntimeException {
    private static final Map<ErrorKind, UpstreamFailure> BY_KIND = new EnumMap<>(ErrorKind.class);

    static {
        for (ErrorKind kind : ErrorKind.values()) {
            BY_KIND.put(kind, new UpstreamFailure(kind));
        }
    }

    private UpstreamFailure(ErrorKind kind) {
        super(kind.label(), null, false, false);
    }

    static UpstreamFailure of(ErrorKind kind) {
        return BY_KIND.get(kind);
    }
}
