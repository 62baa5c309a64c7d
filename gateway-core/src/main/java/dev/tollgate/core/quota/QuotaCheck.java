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
 * @param countsRequest true when the demand is a request of its own here: checked against {@code rpm} and added
 *     to the request window. False for a fallback attempt of a request the scope already counted, which must not
 *     cost it a second request; its tokens, concurrency slot and budget reservation are checked all the same.
 */
public record QuotaCheck(String scope, Limits limits, Budget budget, PeriodWindow window, boolean countsRequest) {
    public QuotaCheck {
        requireNonNull(scope, "scope");
        requireNonNull(limits, "limits");
        if ((budget == null) != (window == null)) {
            throw new IllegalArgumentException("a budget needs its window, and a window its budget");
        }
    }

    /** A check that counts the request, as every first attempt does. */
    public QuotaCheck(String scope, Limits limits, Budget budget, PeriodWindow window) {
        this(scope, limits, budget, window, true);
    }

    /** The check of a scope at {@code now}: its budget's window is the period containing it, in {@code zone}. */
    public static QuotaCheck at(String scope, Limits limits, Budget budget, Instant now, ZoneId zone) {
        return new QuotaCheck(scope, limits, budget, budget == null ? null : budget.period().window(now, zone));
    }

    /** This check, for an attempt whose request the scope already counted. */
    public QuotaCheck uncounted() {
        return countsRequest ? new QuotaCheck(scope, limits, budget, window, false) : this;
    }

    /** The requests this demand adds to the scope's window: one, or none when uncounted. */
    public long requests() {
        return countsRequest ? 1 : 0;
    }
}
