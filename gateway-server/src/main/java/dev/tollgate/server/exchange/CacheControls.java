package dev.tollgate.server.exchange;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.Locale;

/**
 * What a client asks of the response cache for one request: {@code Cache-Control: no-cache} (answer upstream,
 * not from the cache, and store the new answer), {@code Cache-Control: no-store} (do not store this answer; a
 * stored one may still be served, as HTTP means it), and {@code x-tollgate-cache-ttl} (keep this answer for less
 * than the model's ttl; a longer one is cut to it). A ttl that does not parse is a 400 naming the header.
 *
 * @param ttl null when the client asked for none
 */
record CacheControls(boolean noCache, boolean noStore, Duration ttl) {
    static final String TTL = "x-tollgate-cache-ttl";
    static final CacheControls NONE = new CacheControls(false, false, null);

    static CacheControls read(HttpHeaders headers) {
        boolean noCache = false;
        boolean noStore = false;
        for (String value : headers.getAll(HttpHeaderNames.CACHE_CONTROL)) {
            for (String directive : value.split(",")) {
                switch (directive.trim().toLowerCase(Locale.ROOT)) {
                    case "no-cache" -> noCache = true;
                    case "no-store" -> noStore = true;
                    default -> { } // other directives (max-age, ...) mean nothing to a POST's answer here
                }
            }
        }
        String ttl = headers.get(TTL);
        if (!noCache && !noStore && ttl == null) {
            return NONE;
        }
        return new CacheControls(noCache, noStore, ttl == null ? null : ttl(ttl));
    }

    /** Whole seconds ({@code 600}) or a duration as the config writes one ({@code 10m}), at least one second. */
    private static Duration ttl(String text) {
        Duration d = RequestControls.headerDuration(text);
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new GatewayException(GatewayError.invalid(TTL, "invalid_header", "Header " + TTL + ": '" + text
                    + "' is not a duration of at least one second such as 600, 90s, 10m or 1h."));
        }
        return d;
    }
}
