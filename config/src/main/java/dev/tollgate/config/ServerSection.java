package dev.tollgate.config;

import dev.tollgate.core.runtime.HostPort;
import dev.tollgate.core.runtime.LogLevel;
import dev.tollgate.core.runtime.ServerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Binds the {@code server} section straight into {@link ServerSettings}: every key is optional and defaults to
 * {@link ServerSettings#DEFAULTS}. Checks that concern only this section (ranges, the two listeners not sharing a
 * port) are made here.
 */
final class ServerSection {
    static final Set<String> KEYS = Set.of(
            "listen", "admin_listen", "io_threads", "max_request_bytes", "max_header_bytes", "max_uri_bytes",
            "max_headers", "request_header_timeout", "request_body_timeout", "idle_timeout", "max_connections",
            "max_streams", "max_response_bytes", "stream_keep_alive", "access_log", "shutdown_delay", "shutdown_grace",
            "watch_config", "log_level", "audit_log");

    /** Limits below this are almost always a missing unit ({@code max_request_bytes: 10} means ten bytes). */
    static final long MIN_LIMIT_BYTES = 1024;
    static final int MAX_IO_THREADS = 1024;
    /** Fewer header fields than this cannot carry an ordinary authenticated request with tracing. */
    static final int MIN_HEADERS = 16;
    /** Read timeouts below this cut off clients on an ordinary slow link. */
    static final Duration MIN_READ_TIMEOUT = Duration.ofMillis(100);
    /** A keep-alive comment more often than this is noise on the wire. */
    static final Duration MIN_KEEP_ALIVE = Duration.ofSeconds(1);

    private ServerSection() {}

    /** @param base the directory a relative {@code audit_log} path resolves against: the config file's */
    static ServerSettings bind(MappingReader server, Path base, Diagnostics problems) {
        ServerSettings d = ServerSettings.DEFAULTS;
        HostPort listen = server.parsed("listen", d.listen(), HostPortSyntax::parse, HostPortSyntax.EXPECTED);
        HostPort admin = server.parsed("admin_listen", d.adminListen(), HostPortSyntax::parse, HostPortSyntax.EXPECTED);
        if (clash(listen, admin)) {
            problems.error(server.origin("admin_listen"),
                    "port " + admin.port() + " is already taken by listen (" + listen + "); pick another port");
        }
        return new ServerSettings(
                listen,
                admin,
                server.integer("io_threads", d.ioThreads(), 0, MAX_IO_THREADS),
                server.size("max_request_bytes", d.maxRequestBytes(), MIN_LIMIT_BYTES, Long.MAX_VALUE),
                (int) server.size("max_header_bytes", d.maxHeaderBytes(), MIN_LIMIT_BYTES, Integer.MAX_VALUE),
                (int) server.size("max_uri_bytes", d.maxUriBytes(), MIN_LIMIT_BYTES, Integer.MAX_VALUE),
                server.integer("max_headers", d.maxHeaders(), MIN_HEADERS, Integer.MAX_VALUE),
                server.duration("request_header_timeout", d.requestHeaderTimeout(), MIN_READ_TIMEOUT),
                server.duration("request_body_timeout", d.requestBodyTimeout(), MIN_READ_TIMEOUT),
                server.duration("idle_timeout", d.idleTimeout(), MIN_READ_TIMEOUT),
                server.integer("max_connections", d.maxConnections(), 1, Integer.MAX_VALUE),
                server.integer("max_streams", d.maxStreams(), 1, Integer.MAX_VALUE),
                server.size("max_response_bytes", d.maxResponseBytes(), MIN_LIMIT_BYTES, Long.MAX_VALUE),
                server.duration("stream_keep_alive", d.streamKeepAlive(), MIN_KEEP_ALIVE),
                server.bool("access_log", d.accessLog()),
                server.duration("shutdown_delay", d.shutdownDelay(), Duration.ZERO),
                server.duration("shutdown_grace", d.shutdownGrace(), Duration.ZERO),
                server.bool("watch_config", d.watchConfig()),
                server.parsed("log_level", d.logLevel(), LogLevel::parse, "expected debug, info, warn or error"),
                server.parsed("audit_log", d.auditLog(), file -> StorageSection.path(file, base),
                        "expected a file path"));
    }

    /** Whether both listeners would bind the same port: same host, or either one on every interface. */
    private static boolean clash(HostPort listen, HostPort admin) {
        if (listen.port() != admin.port() || listen.port() == 0) {
            return false;
        }
        return listen.host().equals(admin.host()) || wildcard(listen.host()) || wildcard(admin.host());
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }
}
