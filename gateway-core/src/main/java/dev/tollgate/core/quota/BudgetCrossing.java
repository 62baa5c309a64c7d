package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;

/**
 * A settlement that took a scope's spend over one of its alert thresholds. Exactly one settlement per scope,
 * period and threshold reports it, across every replica sharing the store (spend only grows within a period,
 * so "before &lt; threshold &lt;= after" happens once).
 */
public record BudgetCrossing(String scope, double threshold, Money spent, Money limit, PeriodWindow window) {
    public BudgetCrossing {
        requireNonNull(scope, "scope");
        requireNonNull(spent, "spent");
        requireNonNull(limit, "limit");
        requireNonNull(window, "window");
    }
}
