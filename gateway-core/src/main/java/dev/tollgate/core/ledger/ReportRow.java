package dev.tollgate.core.ledger;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;

/**
 * One group of a spend report.
 *
 * @param group the group's value (a key name, a team, a day as {@code 2026-11-28}); null for rows without one
 *     (requests on an open gateway grouped by key, say)
 * @param failed requests whose outcome was not a success
 * @param estimated requests whose cost was estimated
 */
public record ReportRow(String group, long requests, long failed, long inputTokens, long outputTokens,
                        long cachedInputTokens, long reasoningTokens, Money cost, long estimated, long cacheHits) {
    public ReportRow {
        requireNonNull(cost, "cost");
    }
}
