package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZoneId;

/**
 * One scope a request is checked against, with that scope's limits and budget as the config says now.
 *
 * @param scope a stable store key: {@code key:<name>}, {@code team:<name>}, {@code user:<key>:<user>},
 *     {@code deployment:<id>} or {@code global}
 * @param budget the scope's budget, or null when it has none
 * @param window the budget period containing the request's time; null exactly when {@code budget} is null
 */
public record QuotaCheck(String scope, Limits limits, Budget budget, PeriodWindow window) {
    public QuotaCheck {
        requireNonNull(scope, "scope");
        requireNonNull(limits, "limits");
        if ((budget == null) != (window == null)) {
            throw new IllegalArgumentException("a budget needs its window, and a window its budget");
        }
    }

    /** The check of a scope at {@code now}: its budget's window is the period containing it, in {@code zone}. */
    public static QuotaCheck at(String scope, Limits limits, Budget budget, Instant now, ZoneId zone) {
        return new QuotaCheck(scope, limits, budget, budget == null ? null : budget.period().window(now, zone));
    }
}
