package dev.tollgate.core.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * One scope's sliding minute for one dimension (requests or tokens): a ring of thirteen five-second buckets, each
 * slot tagged with the bucket number (epoch millis / 5000) it holds. A bucket is counted while its number is at
 * least {@code current - 12}: the twelve full buckets plus the current one are exactly the buckets that overlap the
 * last sixty seconds, so no sixty-second interval can hold more than a limit (twelve slots would let two bursts sit
 * 60 - 5 s + epsilon apart and both count as "the last minute").
 *
 * <p>A slot whose bucket is newer than {@code current} (another replica's clock runs a little ahead) still counts:
 * erring towards counting is the safe side. The Redis store keeps the same ring in a hash, so both stores read it
 * with this class.
 *
 * <p>Not thread-safe: its owner guards it.
 */
public final class MinuteWindow {
    /** Buckets overlapping the last sixty seconds. */
    public static final int SLOTS = 13;
    public static final long BUCKET_MILLIS = 5_000;
    private static final long EMPTY = Long.MIN_VALUE;

    private final long[] ids = new long[SLOTS];
    private final long[] counts = new long[SLOTS];

    public MinuteWindow() {
        Arrays.fill(ids, EMPTY);
    }

    /** The bucket number of an instant. */
    public static long bucket(Instant now) {
        return Math.floorDiv(now.toEpochMilli(), BUCKET_MILLIS);
    }

    /** The ring slot a bucket lives in. */
    public static int slot(long bucket) {
        return (int) Math.floorMod(bucket, (long) SLOTS);
    }

    /** Sets one slot as read from a shared store. */
    public void load(int slot, long bucket, long count) {
        ids[slot] = bucket;
        counts[slot] = count;
    }

    /** Counts {@code n} in {@code bucket}, recycling its slot when the slot still holds an older bucket. */
    public void add(long bucket, long n) {
        int s = slot(bucket);
        if (ids[s] < bucket) {
            ids[s] = bucket;
            counts[s] = 0;
        }
        counts[s] += n;
    }

    /** Gives back up to {@code n} to {@code bucket} if that bucket is still counted; never below zero. */
    public void giveBack(long bucket, long n, long current) {
        int s = slot(bucket);
        if (ids[s] == bucket && bucket >= current - (SLOTS - 1)) {
            counts[s] = Math.max(0, counts[s] - n);
        }
    }

    /** What the sliding minute holds at {@code current}. */
    public long total(long current) {
        long floor = current - (SLOTS - 1);
        long sum = 0;
        for (int s = 0; s < SLOTS; s++) {
            if (ids[s] >= floor) {
                sum += counts[s];
            }
        }
        return sum;
    }

    /** True while some counted bucket holds something. */
    public boolean holdsAnything(long current) {
        long floor = current - (SLOTS - 1);
        for (int s = 0; s < SLOTS; s++) {
            if (ids[s] >= floor && counts[s] != 0) {
                return true;
            }
        }
        return false;
    }

    /** Until the count next drops (the oldest non-empty counted bucket leaves); zero when nothing is counted. */
    public Duration untilNextDrop(long current, Instant now) {
        long oldest = oldestAbove(current - SLOTS, current);
        return oldest == EMPTY ? Duration.ZERO : untilLeaves(oldest, now);
    }

    /**
     * When {@code demand} more would fit under {@code limit}: zero if it fits now, otherwise the time until enough
     * of the oldest buckets have left the window; null when it never fits ({@code demand > limit}).
     */
    public Duration untilFits(long current, Instant now, long demand, long limit) {
        if (demand > limit) {
            return null;
        }
        long held = total(current);
        long after = current - SLOTS;
        // Buckets leave oldest first; thirteen slots at most, so a repeated scan for the next oldest is cheap.
        while (held + demand > limit) {
            long oldest = oldestAbove(after, current);
            if (oldest == EMPTY) {
                break;
            }
            held -= counts[slot(oldest)];
            after = oldest;
            if (held + demand <= limit) {
                return untilLeaves(oldest, now);
            }
        }
        return Duration.ZERO;
    }

    /** The oldest non-empty counted bucket newer than {@code after}, or {@link #EMPTY}. */
    private long oldestAbove(long after, long current) {
        long floor = Math.max(after + 1, current - (SLOTS - 1));
        long oldest = EMPTY;
        for (int s = 0; s < SLOTS; s++) {
            long id = ids[s];
            if (id >= floor && counts[s] != 0 && (oldest == EMPTY || id < oldest)) {
                oldest = id;
            }
        }
        return oldest;
    }

    /** A bucket stops being counted once {@code current} reaches {@code bucket + 13}. */
    private static Duration untilLeaves(long bucket, Instant now) {
        long millis = (bucket + SLOTS) * BUCKET_MILLIS - now.toEpochMilli();
        return Duration.ofMillis(Math.max(0, millis));
    }
}
