package dev.tollgate.core.ledger;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Which rows a report sums: {@code from <= at < to}, optionally only one key's or one team's, grouped by one
 * column.
 *
 * @param key only this key's rows, or null for all
 * @param team only this team's rows, or null for all
 */
public record ReportQuery(Instant from, Instant to, GroupBy groupBy, String key, String team) {
    public ReportQuery {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(groupBy, "groupBy");
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("a report needs from < to");
        }
    }
}
