package dev.tollgate.core.routing;

/**
 * The gateway-wide allowance of retries and fallbacks: each first attempt earns {@code ratio} of a retry, each
 * retry spends one, earnings older than ten seconds lapse, and {@code floor} retries per second are always
 * allowed. An outage therefore multiplies upstream traffic by at most {@code 1 + ratio}. Lock-free and
 * thread-safe; time comes from the caller (nanoseconds on any fixed origin), so tests drive it.
 */
public final class RetryBudget {

    /** Counts a first attempt at {@code nowNanos}. */
    public void firstAttempt(long nowNanos) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Takes one retry from the budget if there is one; false when retries are used up. */
    public boolean tryRetry(double ratio, int floor, long nowNanos) {
        throw new UnsupportedOperationException("TODO");
    }
}
