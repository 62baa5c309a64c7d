package dev.tollgate.core.spi;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;

/** A complete upstream HTTP response. Header names are lower case. */
public record UpstreamReply(int status, Map<String, String> headers, byte[] body) {
    public UpstreamReply {
        headers = Map.copyOf(headers);
        requireNonNull(body, "body");
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
