package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Upstream timeouts of one provider. Each expiry becomes a provider-timeout error, so retries treat them alike.
 *
 * @param connect TCP (and TLS) connect
 * @param firstByte from sending the request to the response headers
 * @param idle the longest silence between two reads of a response body (stream events)
 * @param overall the whole exchange, first byte to last
 */
public record Timeouts(Duration connect, Duration firstByte, Duration idle, Duration overall) {
    public static final Timeouts DEFAULTS =
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMinutes(10));

    public Timeouts {
        requireNonNull(connect, "connect");
        requireNonNull(firstByte, "firstByte");
        requireNonNull(idle, "idle");
        requireNonNull(overall, "overall");
    }
}
