package dev.tollgate.core.runtime;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Listener, edge and lifecycle settings. A reload applies the edge limits to connections accepted after it and the
 * lifecycle settings at once; the listeners and their threads
 * ({@code listen}, {@code admin_listen}, {@code io_threads}) change at a restart only.
 *
 * @param ioThreads event-loop threads; 0 means one per core
 * @param maxRequestBytes the largest request body accepted (413 above, checked from Content-Length first)
 * @param maxHeaderBytes the largest header block accepted (431 above)
 * @param maxUriBytes the longest request line accepted (414 above)
 * @param maxHeaders the most request header fields accepted (431 above)
 * @param requestHeaderTimeout how long a client may take over a request line and headers once it started sending
 *     them (408 and close after)
 * @param requestBodyTimeout how long a client may take over a whole request body once its headers are in (408 and
 *     close after)
 * @param idleTimeout how long a connection may stay open with no request under way or being answered; longer by
 *     default than the 60 s idle timeout of common load balancers, so that they, not the gateway, close an idle
 *     connection first and never send a request into one being closed
 * @param maxConnections the most client connections open at once on a port; one more is closed at accept
 * @param maxStreams the most streamed answers under way at once; one more is refused with 503
 * @param maxResponseBytes the largest non-streamed upstream body the gateway buffers (502 above)
 * @param streamKeepAlive how long a committed stream may stay quiet before a {@code : keep-alive} comment
 * @param accessLog whether one JSON line per request is written
 * @param shutdownDelay how long after a stop signal the gateway keeps accepting while reporting not ready, so that
 *     load balancers take it out of rotation before its listener closes
 * @param shutdownGrace how long in-flight requests and streams may run on once the listener has closed
 * @param watchConfig whether the config file is watched and reloaded when it changes
 * @param logLevel the least severe event line written
 * @param auditLog a file every audit line is also appended to, and forced to disk, before the change it records
 *     takes effect; null for none
 */
public record ServerSettings(
        HostPort listen,
        HostPort adminListen,
        int ioThreads,
        long maxRequestBytes,
        int maxHeaderBytes,
        int maxUriBytes,
        int maxHeaders,
        Duration requestHeaderTimeout,
        Duration requestBodyTimeout,
        Duration idleTimeout,
        int maxConnections,
        int maxStreams,
        long maxResponseBytes,
        Duration streamKeepAlive,
        boolean accessLog,
        Duration shutdownDelay,
        Duration shutdownGrace,
        boolean watchConfig,
        LogLevel logLevel,
        Path auditLog) {

    public static final ServerSettings DEFAULTS = new ServerSettings(
            new HostPort("0.0.0.0", 8080), new HostPort("127.0.0.1", 8081), 0,
            10L << 20, 16 << 10, 8 << 10, 100, Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(75), 10_000, 5_000, 64L << 20, Duration.ofSeconds(15), true,
            Duration.ZERO, Duration.ofSeconds(30), true, LogLevel.INFO, null);

    public ServerSettings {
        requireNonNull(listen, "listen");
        requireNonNull(adminListen, "adminListen");
        requireNonNull(streamKeepAlive, "streamKeepAlive");
        requireNonNull(requestHeaderTimeout, "requestHeaderTimeout");
        requireNonNull(requestBodyTimeout, "requestBodyTimeout");
        requireNonNull(idleTimeout, "idleTimeout");
        requireNonNull(shutdownDelay, "shutdownDelay");
        requireNonNull(shutdownGrace, "shutdownGrace");
        requireNonNull(logLevel, "logLevel");
    }

    /**
     * These settings with the listeners of {@code running}: what a reload can put in force while the listeners
     * bound at start keep serving.
     */
    public ServerSettings withListenersOf(ServerSettings running) {
        return new ServerSettings(running.listen, running.adminListen, running.ioThreads, maxRequestBytes,
                maxHeaderBytes, maxUriBytes, maxHeaders, requestHeaderTimeout, requestBodyTimeout, idleTimeout,
                maxConnections, maxStreams, maxResponseBytes, streamKeepAlive, accessLog, shutdownDelay,
                shutdownGrace, watchConfig, logLevel, auditLog);
    }
}
