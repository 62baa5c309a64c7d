package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;
import java.util.List;

/**
 * A spending limit over a period.
 *
 * @param alerts fractions of the limit (0 &lt; f &lt;= 1, ascending) at which an alert fires once per period
 */
public record Budget(Money limit, Period period, List<Double> alerts) {
    public Budget {
        requireNonNull(limit, "limit");
        requireNonNull(period, "period");
        alerts = List.copyOf(alerts);
        if (limit.nanos() <= 0) {
            throw new IllegalArgumentException("a budget must be positive: " + limit);
        }
    }
}
