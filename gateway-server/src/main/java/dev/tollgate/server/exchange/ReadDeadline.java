package dev.tollgate.server.exchange;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The first-byte and idle timeouts of one upstream response, as one timer: it fires at the deadline and, if a read
 * came meanwhile, re-arms for the remainder instead of being rescheduled on every read. While the relay has paused
 * reading for a slow client, the upstream is not the quiet one, so the deadline moves on. Event-loop thread only.
 */
final class ReadDeadline {
    private final EventExecutor executor;
    private final BooleanSupplier pausedByUs;
    private final Consumer<Duration> onExpiry;
    private Duration limit;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;

    /** @param onExpiry called on the loop with the limit that ran out */
    ReadDeadline(EventExecutor executor, BooleanSupplier pausedByUs, Consumer<Duration> onExpiry) {
        this.executor = executor;
        this.pausedByUs = pausedByUs;
        this.onExpiry = onExpiry;
    }

    /** Starts (or restarts) the clock with a new limit: the first-byte one, then the idle one. */
    void arm(Duration limit) {
        cancel();
        this.limit = limit;
        this.lastReadNanos = System.nanoTime();
        timer = executor.schedule(this::check, limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Something was read (or reading resumed). */
    void touch() {
        lastReadNanos = System.nanoTime();
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        long quiet = System.nanoTime() - lastReadNanos;
        if (pausedByUs.getAsBoolean()) {
            quiet = 0;
            touch();
        }
        long left = limit.toNanos() - quiet;
        if (left > 0) {
            timer = executor.schedule(this::check, left, TimeUnit.NANOSECONDS);
            return;
        }
        timer = null;
        onExpiry.accept(limit);
    }
}
