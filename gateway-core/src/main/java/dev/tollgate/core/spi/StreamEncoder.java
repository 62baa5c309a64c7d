package dev.tollgate.core.spi;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;

/**
 * Writes canonical stream events in one client dialect's SSE framing. One instance per stream, single thread.
 * Each method returns the bytes to send, possibly none.
 */
public interface StreamEncoder {
    byte[] encode(StreamEvent event);

    /** The stream finished cleanly: the dialect's terminal marker. */
    byte[] end();

    /** The stream failed after it was committed: the dialect's in-band error, after which nothing follows. */
    byte[] fail(GatewayError error);
}
