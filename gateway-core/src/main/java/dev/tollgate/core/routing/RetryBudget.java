package dev.tollgate.core.routing;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The gateway-wide allowance of retries and fallbacks: each first attempt earns {@code ratio} of a retry, each
 * retry spends one, earnings older than ten seconds lapse, and {@code floor} retries per second are always
 * allowed. An outage therefore multiplies upstream traffic by at most {@code 1 + ratio}. Lock-free and
 * thread-safe; time comes from the caller (nanoseconds on any fixed origin), so tests drive it.
 *
 * <p>The window is ten one-second buckets, each an immutable count replaced by compare-and-set, so a bucket's
 * first attempts and retries always change together with the second they belong to. A retry is granted only
 * when, counting it, the window's retries stay within {@code ratio * firsts + floor * 10}: the check and the
 * increment are one compare-and-set on the current bucket, and the other buckets hold older seconds, which do
 * not gain retries once their second is over.
 */
public final class RetryBudget {
    static final int WINDOW_SECONDS = 10;
    private static final long SECOND = 1_000_000_000L;

    private final AtomicReferenceArray<Bucket> buckets = new AtomicReferenceArray<>(WINDOW_SECONDS);

    public RetryBudget() {
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            buckets.set(i, Bucket.UNUSED);
        }
    }

    /** Counts a first attempt at {@code nowNanos}. */
    public void firstAttempt(long nowNanos) {
        long second = Math.floorDiv(nowNanos, SECOND);
        int slot = slot(second);
        while (true) {
            Bucket seen = buckets.get(slot);
            if (buckets.compareAndSet(slot, seen, seen.at(second).plusFirst())) {
                return;
            }
        }
    }

    /** Takes one retry from the budget if there is one; false when retries are used up. */
    public boolean tryRetry(double ratio, int floor, long nowNanos) {
        long second = Math.floorDiv(nowNanos, SECOND);
        int slot = slot(second);
        double allowance = floor * (double) WINDOW_SECONDS;
        while (true) {
            long firsts = 0;
            long retries = 0;
            for (int i = 0; i < WINDOW_SECONDS; i++) {
                Bucket other = buckets.get(i);
                // A bucket ahead of this caller (its clock read a moment later) counts too: retries spent there
                // are spent.
                if (i != slot && other.second() > second - WINDOW_SECONDS) {
                    firsts += other.firsts();
                    retries += other.retries();
                }
            }
            Bucket seen = buckets.get(slot);
            Bucket current = seen.at(second);
            firsts += current.firsts();
            retries += current.retries();
            if (retries + 1 > ratio * firsts + allowance) {
                return false;
            }
            if (buckets.compareAndSet(slot, seen, current.plusRetry())) {
                return true;
            }
        }
    }

    private static int slot(long second) {
        return (int) Math.floorMod(second, (long) WINDOW_SECONDS);
    }

    /** The counts of one second. */
    private record Bucket(long second, int firsts, int retries) {
        static final Bucket UNUSED = new Bucket(Long.MIN_VALUE, 0, 0);

        /**
         * This bucket if it is of {@code now}, else an empty one for it. A bucket ahead of {@code now} (a caller
         * whose clock reading is ten seconds stale) is counted into rather than wiped, so spent retries stay spent.
         */
        Bucket at(long now) {
            return second >= now ? this : new Bucket(now, 0, 0);
        }

        Bucket plusFirst() {
            return new Bucket(second, firsts == Integer.MAX_VALUE ? firsts : firsts + 1, retries);
        }

        Bucket plusRetry() {
            return new Bucket(second, firsts, retries + 1);
        }
    }
}
