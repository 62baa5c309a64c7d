package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one request asks of its scopes before it is sent upstream.
 *
 * @param requestId identifies the reservation and the concurrency lease in the store
 * @param tokens the worst-case tokens (estimated input + the output cap), reserved against every {@code tpm}
 * @param cost the worst-case cost, reserved against every budget
 * @param now the gateway's clock at admission; stores that share counters between replicas use it too, so
 *     replicas need synchronised clocks (NTP), as any distributed limiter does
 * @param leaseTtl how long a concurrency slot and a reservation survive when the replica holding them dies
 *     without settling (the request's overall deadline plus a margin)
 */
public record Demand(String requestId, List<QuotaCheck> checks, long tokens, Money cost, Instant now,
                     Duration leaseTtl) {
    public Demand {
        requireNonNull(requestId, "requestId");
        checks = List.copyOf(checks);
        requireNonNull(cost, "cost");
        requireNonNull(now, "now");
        requireNonNull(leaseTtl, "leaseTtl");
        if (tokens < 0 || cost.nanos() < 0) {
            throw new IllegalArgumentException("a demand cannot be negative");
        }
    }
}
