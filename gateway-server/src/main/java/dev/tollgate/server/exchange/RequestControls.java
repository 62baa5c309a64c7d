package dev.tollgate.server.exchange;

import dev.tollgate.config.DurationSyntax;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.routing.RequestOptions;
import dev.tollgate.core.routing.Resilience;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.Locale;

/**
 * Reads the per-request routing controls a client may send, within the admin's {@link Resilience.ClientControls}:
 * a value beyond a bound is cut to it (the client asked for more than it may have, not for something wrong),
 * a value that does not parse is a 400 naming the header.
 */
final class RequestControls {
    static final String TIMEOUT = "x-tollgate-timeout";
    static final String RETRIES = "x-tollgate-retries";
    static final String FALLBACKS = "x-tollgate-fallbacks";

    private RequestControls() {}

    static RequestOptions read(HttpHeaders headers, Resilience.ClientControls bounds) {
        String timeout = headers.get(TIMEOUT);
        String retries = headers.get(RETRIES);
        String fallbacks = headers.get(FALLBACKS);
        if (timeout == null && retries == null && fallbacks == null) {
            return RequestOptions.DEFAULTS;
        }
        Duration deadline = timeout == null ? null : min(duration(timeout), bounds.maxTimeout());
        int tries = retries == null ? -1 : Math.min(count(retries), bounds.maxRetries());
        boolean fallback = fallbacks == null || !bounds.mayDisableFallbacks() || switch (
                fallbacks.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw invalid(FALLBACKS, "'" + fallbacks + "' is not on or off.");
        };
        return new RequestOptions(deadline, tries, fallback);
    }

    /**
     * A duration header's value: whole seconds ({@code 30}, as SDK timeouts are given), or a duration as the config
     * writes one ({@code 1500ms}, {@code 2m}); zero when it is neither.
     */
    static Duration headerDuration(String text) {
        String t = text.trim();
        try {
            return !t.isEmpty() && t.length() <= 9 && t.chars().allMatch(Character::isDigit)
                    ? Duration.ofSeconds(Long.parseLong(t)) : DurationSyntax.parse(t);
        } catch (IllegalArgumentException e) {
            return Duration.ZERO;
        }
    }

    private static Duration duration(String text) {
        Duration d = headerDuration(text);
        if (!d.isPositive()) {
            throw invalid(TIMEOUT, "'" + text + "' is not a positive duration such as 30, 30s, 1500ms or 2m.");
        }
        return d;
    }

    private static int count(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > 4 || !t.chars().allMatch(Character::isDigit)) {
            throw invalid(RETRIES, "'" + text + "' is not a whole number of retries.");
        }
        return Integer.parseInt(t);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static GatewayException invalid(String header, String message) {
        return new GatewayException(GatewayError.invalid(header, "invalid_header", "Header " + header + ": "
                + message));
    }
}
