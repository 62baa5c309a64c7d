package dev.tollgate.core.cache;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;

/**
 * The cache's part in one finished request, for metrics and the access log.
 *
 * @param saved what the original request cost, for a hit (what the leader paid, for a coalesced request); zero
 *     otherwise
 */
public record CacheUse(CacheResult result, Money saved) {
    public CacheUse {
        requireNonNull(result, "result");
        requireNonNull(saved, "saved");
    }
}
