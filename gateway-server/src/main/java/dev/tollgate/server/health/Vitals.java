package dev.tollgate.server.health;

import dev.tollgate.core.routing.Resilience;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One deployment's health as this gateway sees it. Written from every event loop and the load poller: each field
 * is atomic or an immutable value swapped whole, so nothing here ever takes a lock.
 */
final class Vitals {
    /**
     * Weight of the newest sample in the latency mean. 0.3 follows a change within a handful of responses while
     * one outlier moves the mean by less than a third; per sample rather than per second, since a quiet
     * deployment's figure should not fade while nothing new is known of it.
     */
    static final double LATENCY_WEIGHT = 0.3;

    final String id;
    final AtomicInteger inFlight = new AtomicInteger();
    /** The breaker and bulkhead for the settings in force; null until the first attempt. */
    final AtomicReference<Guards> guards = new AtomicReference<>();
    /** When the circuit may let probes through, set as it opens (epoch millis). */
    volatile long openUntilMillis;
    /** The provider's rate-limit headers on the latest response that had any. */
    volatile UpstreamQuota quota = UpstreamQuota.NONE;
    /** The self-hosted server's latest load score, or null before the first poll. */
    volatile ServerLoad serverLoad;
    private final AtomicLong latencyNanos = new AtomicLong(-1);
    private final AtomicLong coolUntilMillis = new AtomicLong();

    Vitals(String id) {
        this.id = id;
    }

    /**
     * The circuit breaker and bulkhead built from one set of settings; rebuilt (fresh, closed) only when those
     * change on a reload. An attempt keeps the guards it began with, so it releases what it acquired.
     *
     * @param bulkhead null when concurrency is not capped
     */
    record Guards(Resilience.Breaker settings, CircuitBreaker breaker, int maxConcurrent, Bulkhead bulkhead) {
        boolean fit(Resilience resilience) {
            return resilience.maxConcurrent() == maxConcurrent && resilience.breaker().equals(settings);
        }
    }

    /** @param atMillis when it was polled (epoch millis) */
    record ServerLoad(double score, long atMillis) {}

    /** The mean time to the response head, or -1 before the first sample. */
    long latencyNanos() {
        return latencyNanos.get();
    }

    void sampleLatency(long nanos) {
        long prev;
        long next;
        do {
            prev = latencyNanos.get();
            next = prev < 0 ? nanos : prev + Math.round(LATENCY_WEIGHT * (nanos - prev));
        } while (!latencyNanos.compareAndSet(prev, next));
    }

    /** Until when it cools down after a 429 (epoch millis); 0 for never. */
    long coolUntilMillis() {
        return coolUntilMillis.get();
    }

    /** Extends the cooldown to at least the given time; an earlier one never cuts a longer one short. */
    void coolUntil(long epochMillis) {
        coolUntilMillis.accumulateAndGet(epochMillis, Math::max);
    }
}
