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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Audit lines for admin requests refused for their credential: 401 (no admin key, or a wrong one) and 403 (a viewer
 * asking for a change). A guessing client must not flood the trail, so each remote address gets at most
 * {@value #LINES_PER_WINDOW} lines a second, and all addresses together at most {@value #LINES_PER_WINDOW_OVERALL}:
 * a limit per address alone is no limit for a client with many addresses (any IPv6 host has a /64 of them). The
 * refusals past a limit are counted, and each count is written as one {@code admin.refused.suppressed} line when its
 * second ends: the address's own, or {@code remote: "*"} for those past the overall limit.
 */
final class RefusedAttempts {
    /** Lines one address may cause per window: enough to see a human's mistakes, too few to fill a disk. */
    static final int LINES_PER_WINDOW = 5;
    /** Lines every address together may cause per window, an address's count lines included. */
    static final int LINES_PER_WINDOW_OVERALL = 50;
    static final Duration WINDOW = Duration.ofSeconds(1);
    /** The key of the window every address shares; no address is written this way. */
    static final String ALL_ADDRESSES = "*";
    /** Addresses tracked at once; one pushed out early still has its count written. */
    private static final int MAX_ADDRESSES = 10_000;

    private final AuditLog audit;
    private final Cache<String, Window> windows;
    /** One entry, {@link #ALL_ADDRESSES}: a cache of its own so that no address can push it out. */
    private final Cache<String, Window> overall;

    RefusedAttempts(AuditLog audit) {
        this(audit, Ticker.systemTicker(), Scheduler.systemScheduler());
    }

    /** @param scheduler ends windows on time, so a count is written even when the address sends nothing more */
    RefusedAttempts(AuditLog audit, Ticker ticker, Scheduler scheduler) {
        this.audit = requireNonNull(audit, "audit");
        this.windows = windows(ticker, scheduler).maximumSize(MAX_ADDRESSES)
                .<String, Window>removalListener((remote, window, cause) -> {
                    if (remote != null && window != null && cause != RemovalCause.EXPLICIT) {
                        long unwritten = window.unwritten();
                        if (unwritten > 0 && overall().admit(LINES_PER_WINDOW_OVERALL, unwritten)) {
                            suppressed(remote, unwritten);
                        }
                    }
                }).build();
        this.overall = windows(ticker, scheduler).<String, Window>removalListener((all, window, cause) -> {
            if (window != null && cause != RemovalCause.EXPLICIT && window.unwritten() > 0) {
                suppressed(ALL_ADDRESSES, window.unwritten());
            }
        }).build();
    }

    /**
     * Records one refused request (unless its address, or every address together, is over the limit this second).
     *
     * @param actor the admin key's name or hash prefix for a 403; null when no admin key was recognised
     */
    void refused(String remote, String actor, String method, String path, int status) {
        Window own = windows.get(remote, r -> new Window());
        if (own.admit(LINES_PER_WINDOW, 1) && overall().admit(LINES_PER_WINDOW_OVERALL, 1)) {
            write(AuditLog.entry("admin.refused", actor == null ? "unknown" : actor).field("remote", remote)
                    .field("method", method).field("route", path).field("status", status));
        }
    }

    /** Drops the windows that have ended and writes their counts now, rather than when the scheduler gets to it. */
    void flush() {
        overall.cleanUp();
        windows.cleanUp();
    }

    private Window overall() {
        return overall.get(ALL_ADDRESSES, all -> new Window());
    }

    private static Caffeine<Object, Object> windows(Ticker ticker, Scheduler scheduler) {
        return Caffeine.newBuilder().expireAfterWrite(WINDOW).ticker(ticker).scheduler(scheduler)
                .executor(Runnable::run);
    }

    private void suppressed(String remote, long count) {
        write(AuditLog.entry("admin.refused.suppressed", "unknown").field("remote", remote)
                .field("count", count).field("window_ms", WINDOW.toMillis()));
    }

    private void write(JsonLine line) {
        // The event log takes every line; a refusal changes nothing, so an audit file that cannot take it stops nothing.
        audit.record(line).exceptionally(unwritable -> null);
    }

    /** One window's lines: how many were asked for, and the refusals counted instead of written. */
    private static final class Window {
        private final AtomicInteger lines = new AtomicInteger();
        private final AtomicLong unwritten = new AtomicLong();

        /** Whether a line fits in this window; when it does not, its {@code refusals} are counted instead. */
        boolean admit(int limit, long refusals) {
            if (lines.incrementAndGet() <= limit) {
                return true;
            }
            unwritten.addAndGet(refusals);
            return false;
        }

        long unwritten() {
            return unwritten.get();
        }
    }
}
