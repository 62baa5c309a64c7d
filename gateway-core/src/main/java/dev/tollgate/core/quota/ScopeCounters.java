package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

/**
 * One scope's counters as an admission sees them, read under the store's lock or inside its script. The windows
 * are the store's own (not copies): use the record only while that guard holds.
 *
 * @param spent settled spend in the check's budget window, nano-dollars (zero without a budget)
 * @param reserved cost reserved by requests in flight, nano-dollars
 */
public record ScopeCounters(QuotaCheck check, MinuteWindow requests, MinuteWindow tokens, int concurrent,
                            long spent, long reserved) {
    public ScopeCounters {
        requireNonNull(check, "check");
        requireNonNull(requests, "requests");
        requireNonNull(tokens, "tokens");
    }
}
