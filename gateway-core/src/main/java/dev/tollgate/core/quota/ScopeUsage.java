package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;

/**
 * A scope's live counters, for the admin API.
 *
 * @param requests requests counted in the sliding minute
 * @param tokens tokens counted in the sliding minute (reservations included)
 * @param concurrent requests in flight
 * @param spent settled spend in the current budget period (zero without a budget)
 * @param reserved cost reserved by requests in flight
 */
public record ScopeUsage(String scope, long requests, long tokens, int concurrent, Money spent, Money reserved) {
    public ScopeUsage {
        requireNonNull(scope, "scope");
        requireNonNull(spent, "spent");
        requireNonNull(reserved, "reserved");
    }
}
