package dev.tollgate.server.exchange;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Every timeout of one exchange on one timer: the overall deadline, and the first-byte then idle limits of the
 * upstream response. The timer fires at the nearest deadline and, if a read came meanwhile, re-arms for what is
 * left instead of being rescheduled on every read (one schedule per exchange on the fast path). While the relay
 * has paused reading for a slow client, the upstream is not the quiet one, so the read limit moves on.
 * Event-loop thread only.
 */
final class Deadlines {

    /** Which limit ran out. */
    sealed interface Expired {
        record Overall(Duration limit) implements Expired {}

        /** The first-byte limit (nothing was read yet) or the idle limit between reads. */
        record Read(Duration limit) implements Expired {}
    }

    private final EventExecutor executor;
    private final BooleanSupplier pausedByUs;
    private final Consumer<Expired> onExpiry;
    private long overallAt;
    private Duration overall;
    private Duration readLimit;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;
    private long timerAt;

    /**
     * @param onExpiry called on the loop with the limit that ran out: after the overall deadline everything is
     *     off; after a read limit only that limit is (the overall deadline still bounds a retry)
     */
    Deadlines(EventExecutor executor, BooleanSupplier pausedByUs, Consumer<Expired> onExpiry) {
        this.executor = executor;
        this.pausedByUs = pausedByUs;
        this.onExpiry = onExpiry;
    }

    /** Time left until the overall deadline ({@link Duration#ZERO} once passed, or before {@link #start}). */
    Duration left() {
        return overall == null ? Duration.ZERO : Duration.ofNanos(Math.max(0, overallAt - System.nanoTime()));
    }

    /** Starts the overall deadline. */
    void start(Duration overall) {
        this.overall = overall;
        this.overallAt = System.nanoTime() + overall.toNanos();
        schedule(overallAt);
    }

    /** Starts (or restarts) the read limit: the first-byte one, then the idle one. */
    void arm(Duration limit) {
        readLimit = limit;
        touch();
        long at = lastReadNanos + limit.toNanos();
        if (timer == null || at - timerAt < 0) {
            schedule(at);
        }
    }

    /** No read limit until the next {@link #arm} (a retry on a fresh connection); the overall deadline stays. */
    void disarmRead() {
        readLimit = null;
    }

    /** Something was read (or reading resumed). */
    void touch() {
        lastReadNanos = System.nanoTime();
    }

    /** Everything off: the exchange is over. */
    void cancel() {
        readLimit = null;
        overall = null;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void schedule(long at) {
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = executor.schedule(this::check, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        long now = System.nanoTime();
        if (overall != null && now - overallAt >= 0) {
            Duration limit = overall;
            cancel();
            onExpiry.accept(new Expired.Overall(limit));
            return;
        }
        long next = overall == null ? Long.MAX_VALUE : overallAt;
        if (readLimit != null) {
            if (pausedByUs.getAsBoolean()) {
                touch();
            }
            long readAt = lastReadNanos + readLimit.toNanos();
            if (now - readAt >= 0) {
                Duration limit = readLimit;
                readLimit = null;
                if (overall != null) {
                    schedule(overallAt);
                }
                onExpiry.accept(new Expired.Read(limit));
                return;
            }
            next = Math.min(next, readAt);
        }
        if (next != Long.MAX_VALUE) {
            schedule(next);
        }
    }
}
