package dev.tollgate.core.ledger;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;

/**
 * The ledger's sums over the requests one experiment arm served, from which the admin API derives means, rates and
 * their significance. Sums of squares are kept (as doubles: a squared latency overflows no long) so that a variance
 * needs no second pass over the rows.
 *
 * @param requests every request the arm was assigned, refused and cancelled ones included
 * @param errors those that failed for the caller's request, the provider or the gateway; denied by policy (a limit,
 *     a budget) or cancelled by the client are not the arm's doing and do not count
 * @param latency milliseconds, over the requests the arm {@linkplain #handled() handled}: a refused request's few
 *     milliseconds, or a cancelled one's cut-short time, would tell nothing about the arm and pull its mean down
 * @param latencyMaxMillis the longest of those, 0 when there are none
 * @param feedback the requests rated, and the sums of their normalised scores (0 to 1)
 */
public record ArmTotals(String arm, long requests, long errors, Moments latency, long latencyMaxMillis,
                        long inputTokens, long outputTokens, Money cost, Moments feedback) {
    public ArmTotals {
        requireNonNull(arm, "arm");
        requireNonNull(latency, "latency");
        requireNonNull(cost, "cost");
        requireNonNull(feedback, "feedback");
    }

    /**
     * The requests the arm handled: neither refused by a limit or a budget nor cancelled by the client. The base of
     * the error rate, and the latency sample.
     */
    public long handled() {
        return latency.count();
    }

    /**
     * A sample's count, sum and sum of squares: enough for its mean and variance.
     *
     * @param count the values summed
     */
    public record Moments(long count, double sum, double sumOfSquares) {
        public static final Moments NONE = new Moments(0, 0, 0);

        public double mean() {
            return count == 0 ? 0 : sum / count;
        }

        /** The sample variance (n - 1 in the denominator); 0 for fewer than two values. */
        public double variance() {
            if (count < 2) {
                return 0;
            }
            // Rounding can take a variance of nearly equal values a hair below zero.
            return Math.max(0, (sumOfSquares - sum * sum / count) / (count - 1));
        }
    }
}
