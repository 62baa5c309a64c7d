package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * Why a request was refused: the first scope (in {@link Demand#checks()} order) that could not take it.
 *
 * @param limit the limit hit: a count, or nano-dollars for {@link Dimension#BUDGET}
 * @param used what is counted against it now (for budgets: spent, reservations not included)
 * @param reserved for budgets, what requests in flight have reserved; zero otherwise
 * @param retryAfter when the request could fit again; null when it never can (a single request larger than the
 *     whole limit) or when only a new budget period helps ({@code resetsAt} says when)
 * @param resetsAt for budgets, the end of the period ({@link Instant#MAX} for a lifetime budget); null otherwise
 */
public record Denial(String scope, Dimension dimension, long limit, long used, long reserved, Duration retryAfter,
                     Instant resetsAt) {
    public Denial {
        requireNonNull(scope, "scope");
        requireNonNull(dimension, "dimension");
    }
}
