package dev.tollgate.server.exchange;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The streamed answers under way across the gateway, bounded by {@code server.max_streams}: a stream holds a
 * connection, an upstream connection and its relay state for minutes, so their number is capped apart from the
 * requests'. The limit is read per request, so a reload applies at once.
 */
public final class StreamSlots {
    /** Streams end within seconds to minutes; a client that comes back after this finds the slots moving. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final AtomicInteger taken = new AtomicInteger();

    /** Takes a slot unless {@code max} are taken; whether it did. Each slot taken is given back by {@link #release}. */
    boolean take(int max) {
        if (taken.incrementAndGet() > max) {
            taken.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        taken.decrementAndGet();
    }

    static GatewayError full(int max) {
        return GatewayError.of(ErrorKind.GATEWAY_OVERLOADED,
                "The gateway is serving its maximum of " + max + " streams; retry shortly.").withRetryAfter(RETRY_AFTER);
    }
}
