package dev.tollgate.core.runtime;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Listener and edge settings. Changing any of these needs a restart.
 *
 * @param ioThreads event-loop threads; 0 means one per core
 * @param maxRequestBytes the largest request body accepted (413 above, checked from Content-Length first)
 * @param maxHeaderBytes the largest header block accepted (431 above)
 * @param maxUriBytes the longest request line accepted (414 above)
 * @param maxResponseBytes the largest non-streamed upstream body the gateway buffers (502 above)
 * @param streamKeepAlive how long a committed stream may stay quiet before a {@code : keep-alive} comment
 * @param accessLog whether one JSON line per request is written
 */
public record ServerSettings(
        HostPort listen,
        HostPort adminListen,
        int ioThreads,
        long maxRequestBytes,
        int maxHeaderBytes,
        int maxUriBytes,
        long maxResponseBytes,
        Duration streamKeepAlive,
        boolean accessLog) {

    public static final ServerSettings DEFAULTS = new ServerSettings(
            new HostPort("0.0.0.0", 8080), new HostPort("127.0.0.1", 8081), 0,
            10L << 20, 16 << 10, 8 << 10, 64L << 20, Duration.ofSeconds(15), true);

    public ServerSettings {
        requireNonNull(listen, "listen");
        requireNonNull(adminListen, "adminListen");
        requireNonNull(streamKeepAlive, "streamKeepAlive");
    }
}
