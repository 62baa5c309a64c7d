package dev.tollgate.server.upstream;

import io.netty.handler.codec.http.HttpObject;

/**
 * Receives what one upstream connection delivers while an exchange holds it. Called on the connection's event
 * loop, which is also the exchange's.
 */
public interface UpstreamListener {

    /** A response head or body piece. The listener owns {@code msg} and must release it. */
    void onMessage(HttpObject msg);

    /** The end of one socket read's worth of messages: the moment to decide whether to read more. */
    void onReadComplete();

    /** The connection closed or failed before the exchange let it go; {@code cause} is null for a plain close. */
    void onClosed(Throwable cause);
}
