package dev.tollgate.server.admin;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.server.log.AuditLog;
import dev.tollgate.server.log.JsonLine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Audit lines for admin requests refused for their credential: 401 (no admin key, or a wrong one) and 403 (a viewer
 * asking for a change). A guessing client must not flood the trail, so each remote address gets at most
 * {@value #LINES_PER_WINDOW} lines a second; the rest are counted, and the count is written as one
 * {@code admin.refused.suppressed} line when that address's second ends.
 */
final class RefusedAttempts {
    /** Lines one address may cause per window: enough to see a human's mistakes, too few to fill a disk. */
    static final int LINES_PER_WINDOW = 5;
    static final Duration WINDOW = Duration.ofSeconds(1);
    /** Addresses tracked at once; one pushed out early still has its count written. */
    private static final int MAX_ADDRESSES = 10_000;

    private final AuditLog audit;
    private final Cache<String, AtomicInteger> windows;

    RefusedAttempts(AuditLog audit) {
        this(audit, Ticker.systemTicker(), Scheduler.systemScheduler());
    }

    /** @param scheduler ends windows on time, so a count is written even when the address sends nothing more */
    RefusedAttempts(AuditLog audit, Ticker ticker, Scheduler scheduler) {
        this.audit = requireNonNull(audit, "audit");
        this.windows = Caffeine.newBuilder().expireAfterWrite(WINDOW).maximumSize(MAX_ADDRESSES)
                .ticker(ticker).scheduler(scheduler).executor(Runnable::run)
                .<String, AtomicInteger>removalListener((remote, seen, cause) -> {
                    if (remote != null && seen != null && cause != RemovalCause.EXPLICIT) {
                        suppressed(remote, seen.get() - LINES_PER_WINDOW);
                    }
                }).build();
    }

    /**
     * Records one refused request (unless its address is over the limit this second).
     *
     * @param actor the admin key's name or hash prefix for a 403; null when no admin key was recognised
     */
    void refused(String remote, String actor, String method, String path, int status) {
        int seen = windows.get(remote, r -> new AtomicInteger()).incrementAndGet();
        if (seen <= LINES_PER_WINDOW) {
            write(AuditLog.entry("admin.refused", actor == null ? "unknown" : actor).field("remote", remote)
                    .field("method", method).field("route", path).field("status", status));
        }
    }

    /** Drops the windows that have ended and writes their counts now, rather than when the scheduler gets to it. */
    void flush() {
        windows.cleanUp();
    }

    private void suppressed(String remote, int count) {
        if (count > 0) {
            write(AuditLog.entry("admin.refused.suppressed", "unknown").field("remote", remote)
                    .field("count", count).field("window_ms", WINDOW.toMillis()));
        }
    }

    private void write(JsonLine line) {
        // The event log takes every line; a refusal changes nothing, so an audit file that cannot take it stops nothing.
        audit.record(line).exceptionally(unwritable -> null);
    }
}
