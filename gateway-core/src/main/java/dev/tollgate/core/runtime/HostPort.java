package dev.tollgate.core.runtime;

import static java.util.Objects.requireNonNull;

/** An address to listen on. Port 0 asks the system for a free one (tests). */
public record HostPort(String host, int port) {
    public HostPort {
        requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
