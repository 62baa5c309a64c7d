package dev.tollgate.core.spi;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;

/**
 * An HTTP request to send upstream, built by an adapter. The URI's scheme, host and port come only from config,
 * never from a client. {@code body} is null when the caller supplies the body itself (same-dialect passthrough).
 */
public record UpstreamCall(String method, URI uri, List<Header> headers, byte[] body) {
    public UpstreamCall {
        requireNonNull(method, "method");
        requireNonNull(uri, "uri");
        headers = List.copyOf(headers);
    }

    @Override
    public String toString() {
        return method + " " + uri + " " + headers;
    }
}
