package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AlertWebhook;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.pricing.Unpriced;
import dev.tollgate.core.quota.Budget;
import java.time.ZoneId;

/**
 * The {@code budgets} section as bound: what applies to every budget rather than to one scope.
 *
 * @param global the budget of all traffic together, or null
 * @param unpricedPrice set exactly when {@code unpriced} is {@link Unpriced#CHARGE_RESERVATION} in a config without
 *     problems
 * @param webhook null when alerts go to the log and metrics only
 */
record BudgetsConfig(ZoneId zone, Budget global, Unpriced unpriced, Price unpricedPrice, AlertWebhook webhook) {
    BudgetsConfig {
        requireNonNull(zone, "zone");
        requireNonNull(unpriced, "unpriced");
    }
}
