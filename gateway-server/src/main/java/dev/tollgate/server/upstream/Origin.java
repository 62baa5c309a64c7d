package dev.tollgate.server.upstream;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Locale;

/** Where upstream connections go: scheme, host and port. Pools are per origin. */
public record Origin(boolean tls, String host, int port) {
    public Origin {
        requireNonNull(host, "host");
    }

    /** The origin of an absolute http(s) URI; config validation guarantees the shape. */
    public static Origin of(URI uri) {
        boolean tls = "https".equals(uri.getScheme().toLowerCase(Locale.ROOT));
        int port = uri.getPort() >= 0 ? uri.getPort() : (tls ? 443 : 80);
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Origin(tls, host, port);
    }

    /** The value of the {@code Host} header for this origin. */
    public String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return (tls && port == 443) || (!tls && port == 80) ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        return (tls ? "https://" : "http://") + hostHeader();
    }
}
