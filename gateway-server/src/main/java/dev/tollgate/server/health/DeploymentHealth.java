package dev.tollgate.server.health;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Fault;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.DeploymentLoad;
import dev.tollgate.core.routing.HealthView;
import dev.tollgate.core.routing.Resilience;
import dev.tollgate.server.health.Vitals.Guards;
import dev.tollgate.server.health.Vitals.ServerLoad;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Every deployment's health, process-wide and keyed by deployment id, so it carries over config reloads: a
 * circuit breaker and a bulkhead (Resilience4j), the mean time to the response head, requests in flight, a
 * cooldown after a 429, the provider's own rate-limit headers, and the load a self-hosted server reports.
 *
 * <p>The request path asks {@link #begin} before each upstream attempt and reports on the {@link Attempt} it gets;
 * the router reads {@link #unavailableFor} and {@link #load}. All of it runs on event loops: nothing blocks or
 * locks (state is atomics and immutable values; Resilience4j's count-based breaker takes a short monitor per
 * recorded call, its only critical section).
 *
 * <p>What the breaker counts: a retryable provider fault (timeout, unreachable, 5xx, overloaded) is a failure; a
 * provider's considered answer, even a refusal (bad request, auth, context too long, content filter), is a
 * success, since the deployment is up and answering; a 429 is neither but cools the deployment down (its quota is
 * spent, it is not broken); and an attempt cut short by the client or by the gateway itself gives its permission
 * back without a verdict, since it says nothing of the deployment. Slow calls are timed to the response head.
 */
public final class DeploymentHealth implements HealthView {
    /** How long a deployment at its concurrency cap, or with all its half-open probes out, is reported busy. */
    static final Duration BUSY_HINT = Duration.ofSeconds(1);
    /** The cooldown after a 429 that said neither Retry-After nor when its quota resets. */
    static final Duration RATE_LIMIT_COOLDOWN = Duration.ofSeconds(1);
    /** A server load older than this is unknown: the poller stopped reaching it. */
    static final Duration SERVER_LOAD_STALE = Duration.ofSeconds(10);

    private final ConcurrentHashMap<String, Vitals> vitals = new ConcurrentHashMap<>();
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final LongSupplier nanoTime;

    public DeploymentHealth(GatewayMetrics metrics) {
        this(metrics, Clock.systemUTC(), System::nanoTime);
    }

    /** @param nanoTime what attempts are timed with ({@link System#nanoTime} but in tests) */
    DeploymentHealth(GatewayMetrics metrics, Clock clock, LongSupplier nanoTime) {
        this.metrics = metrics;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /**
     * Asks to send a request to a deployment. Null when refused, its circuit open (and not yet due a probe) or its
     * bulkhead full: the caller moves on to another deployment. A cooldown does not refuse: the router reads it
     * through {@link #unavailableFor} and may still choose to wait it out. Every attempt returned must be
     * {@link Attempt#end ended}.
     *
     * @param settings the resilience settings in force; the breaker and bulkhead are rebuilt when they change
     */
    public Attempt begin(Deployment deployment, Resilience settings) {
        Vitals v = vitals(deployment.id());
        Guards guards = guards(v, settings);
        CircuitBreaker.State before = guards.breaker().getState();
        boolean permitted = guards.breaker().tryAcquirePermission();
        noticeTransition(v, guards, before); // an open circuit due a probe half-opens here
        if (!permitted) {
            return null;
        }
        if (guards.bulkhead() != null && !guards.bulkhead().tryAcquirePermission()) {
            guards.breaker().releasePermission();
            return null;
        }
        v.inFlight.incrementAndGet();
        return new Attempt(v, guards, nanoTime.getAsLong());
    }

    /** One upstream attempt let through by {@link #begin}. Thread-safe; called from the upstream's event loop. */
    public final class Attempt {
        private final Vitals vitals;
        private final Guards guards;
        private final long startNanos;
        private final AtomicBoolean ended = new AtomicBoolean();
        /** Time to the response head, or -1 before it arrived. */
        private volatile long headNanos = -1;

        private Attempt(Vitals vitals, Guards guards, long startNanos) {
            this.vitals = vitals;
            this.guards = guards;
            this.startNanos = startNanos;
        }

        /**
         * The response head arrived: records the time to it and the provider's rate-limit headers. Only a 2xx
         * head is a latency sample: an error comes back fast and would make a failing deployment look quick.
         * Only the first call counts.
         */
        public void head(int status, HttpHeaders headers) {
            if (headNanos >= 0) {
                return;
            }
            long elapsed = nanoTime.getAsLong() - startNanos;
            headNanos = elapsed;
            if (status >= 200 && status < 300) {
                vitals.sampleLatency(elapsed);
            }
            UpstreamQuota quota = UpstreamQuota.parse(headers, clock.instant());
            if (!quota.isEmpty()) {
                vitals.quota = quota;
            }
        }

        /**
         * The attempt is over: gives back its bulkhead place and records the breaker's verdict (see the class
         * comment). Idempotent: only the first call counts.
         *
         * @param failure null for success, else how it failed
         */
        public void end(GatewayError failure) {
            if (!close()) {
                return;
            }
            long elapsed = nanoTime.getAsLong() - startNanos;
            long toHead = headNanos >= 0 ? headNanos : elapsed;
            CircuitBreaker breaker = guards.breaker();
            CircuitBreaker.State before = breaker.getState();
            verdict(failure, breaker, toHead, elapsed);
            noticeTransition(vitals, guards, before);
        }

        private void verdict(GatewayError failure, CircuitBreaker breaker, long toHead, long elapsed) {
            if (failure == null) {
                breaker.onSuccess(toHead, NANOSECONDS);
                return;
            }
            ErrorKind kind = failure.kind();
            if (kind == ErrorKind.PROVIDER_RATE_LIMITED) {
                breaker.releasePermission();
                coolDown(failure.retryAfter());
            } else if (kind.fault() == Fault.PROVIDER && kind.retryable()) {
                if (kind == ErrorKind.PROVIDER_TIMEOUT && headNanos < 0) {
                    // It never answered: its full wait is the best figure there is, so a hung deployment stops
                    // looking as quick as its last good answer.
                    vitals.sampleLatency(elapsed);
                }
                breaker.onError(toHead, NANOSECONDS, UpstreamFailure.of(kind));
            } else if (kind.fault() == Fault.PROVIDER) {
                breaker.onSuccess(toHead, NANOSECONDS);
            } else {
                breaker.releasePermission();
            }
        }

        /**
         * The attempt ends without reaching the deployment (its admission was refused, the client left first):
         * its places come back and the breaker hears nothing. Idempotent, and a no-op after {@link #end}.
         */
        public void abandon() {
            if (close()) {
                guards.breaker().releasePermission();
            }
        }

        /** Gives back the in-flight count and the bulkhead place; false when the attempt had already ended. */
        private boolean close() {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            vitals.inFlight.decrementAndGet();
            if (guards.bulkhead() != null) {
                guards.bulkhead().onComplete();
            }
            return true;
        }

        /** Until Retry-After, else until the used-up quota resets, else a short default. */
        private void coolDown(Duration retryAfter) {
            Instant now = clock.instant();
            Instant until = retryAfter != null && retryAfter.isPositive() ? now.plus(retryAfter)
                    : vitals.quota.exhaustedUntil(now);
            vitals.coolUntil((until == null ? now.plus(RATE_LIMIT_COOLDOWN) : until).toEpochMilli());
            report(vitals);
        }
    }

    /**
     * {@inheritDoc} The longest of: the circuit's remaining open time; {@link #BUSY_HINT} while every half-open
     * probe is out (probes counted as the calls the half-open breaker has recorded plus those in flight, which can
     * overcount by attempts begun before it opened: the hint is short) or while the bulkhead is full; the 429
     * cooldown; and the time until a used-up provider quota resets. Never takes a half-open permit.
     */
    @Override
    public Duration unavailableFor(Deployment deployment) {
        Vitals v = vitals.get(deployment.id());
        if (v == null) {
            return Duration.ZERO;
        }
        Instant now = clock.instant();
        long nowMillis = now.toEpochMilli();
        long waitMillis = v.coolUntilMillis() - nowMillis;
        Instant exhausted = v.quota.exhaustedUntil(now);
        if (exhausted != null) {
            waitMillis = Math.max(waitMillis, exhausted.toEpochMilli() - nowMillis);
        }
        Guards guards = v.guards.get();
        if (guards != null) {
            CircuitBreaker breaker = guards.breaker();
            switch (breaker.getState()) {
                case OPEN -> waitMillis = Math.max(waitMillis, v.openUntilMillis - nowMillis);
                case HALF_OPEN -> {
                    if (breaker.getMetrics().getNumberOfBufferedCalls() + v.inFlight.get()
                            >= guards.settings().halfOpenCalls()) {
                        waitMillis = Math.max(waitMillis, BUSY_HINT.toMillis());
                    }
                }
                default -> { }
            }
            if (guards.bulkhead() != null && guards.bulkhead().getMetrics().getAvailableConcurrentCalls() == 0) {
                waitMillis = Math.max(waitMillis, BUSY_HINT.toMillis());
            }
        }
        return waitMillis > 0 ? Duration.ofMillis(waitMillis) : Duration.ZERO;
    }

    /**
     * {@inheritDoc} The quota headroom counts only windows that have not reset since the provider reported them;
     * the server load is unknown once older than {@link #SERVER_LOAD_STALE}.
     */
    @Override
    public DeploymentLoad load(Deployment deployment) {
        Vitals v = vitals.get(deployment.id());
        if (v == null) {
            return DeploymentLoad.UNKNOWN;
        }
        Instant now = clock.instant();
        ServerLoad server = v.serverLoad;
        double serverLoad = server == null || now.toEpochMilli() - server.atMillis() > SERVER_LOAD_STALE.toMillis()
                ? -1 : server.score();
        return new DeploymentLoad(v.latencyNanos(), v.inFlight.get(), v.quota.headroom(now), serverLoad);
    }

    /**
     * What a self-hosted server reported of its load (see {@link LoadReport#score}); -1 when the poll failed.
     * Called by the {@link ServerLoadPoller}.
     */
    public void serverLoad(String deploymentId, double score) {
        vitals(deploymentId).serverLoad = new ServerLoad(score, clock.millis());
    }

    /** Forgets deployments no longer configured (their breakers start afresh if they come back). */
    public void retain(Collection<String> deploymentIds) {
        vitals.keySet().retainAll(Set.copyOf(deploymentIds));
    }

    /** Reports every known deployment's state to the metrics; run every few seconds, off the request path. */
    public void report() {
        Set<String> reported = new HashSet<>();
        for (Vitals v : vitals.values()) {
            report(v);
            reported.add(v.id);
        }
        metrics.deploymentsSampled(reported); // those forgotten by retain lose their state series
    }

    /**
     * Notes a state change made by the breaker call just made on {@code guards}: when the circuit opened (so
     * {@link #unavailableFor} can tell how long it stays open), and the state metric. Observed after each call
     * rather than through the breaker's event publisher: with any event consumer registered, Resilience4j builds
     * an event object (with a zoned timestamp) for every call, success or not, on the request path.
     */
    private void noticeTransition(Vitals v, Guards guards, CircuitBreaker.State before) {
        CircuitBreaker.State after = guards.breaker().getState();
        if (after == before || v.guards.get() != guards) {
            return; // no change, or a breaker a reload replaced, finishing the attempts it let through
        }
        if (after == CircuitBreaker.State.OPEN) {
            v.openUntilMillis = clock.millis() + guards.settings().openFor().toMillis();
        }
        report(v);
    }

    private void report(Vitals v) {
        metrics.deploymentState(v.id, state(v));
    }

    /** Open or half-open by its breaker, else cooling or closed. */
    DeploymentState state(Vitals v) {
        Guards guards = v.guards.get();
        if (guards != null) {
            switch (guards.breaker().getState()) {
                case OPEN, FORCED_OPEN -> {
                    return DeploymentState.OPEN;
                }
                case HALF_OPEN -> {
                    return DeploymentState.HALF_OPEN;
                }
                default -> { }
            }
        }
        Instant now = clock.instant();
        boolean cooling = v.coolUntilMillis() > now.toEpochMilli() || v.quota.exhaustedUntil(now) != null;
        return cooling ? DeploymentState.COOLING : DeploymentState.CLOSED;
    }

    /** The state of one deployment, as {@link #report} gives it; closed for one never seen. */
    DeploymentState state(String deploymentId) {
        Vitals v = vitals.get(deploymentId);
        return v == null ? DeploymentState.CLOSED : state(v);
    }

    private Vitals vitals(String id) {
        Vitals v = vitals.get(id);
        return v != null ? v : vitals.computeIfAbsent(id, Vitals::new);
    }

    private Guards guards(Vitals v, Resilience settings) {
        Guards current = v.guards.get();
        while (current == null || !current.fit(settings)) {
            Guards next = build(v, current, settings);
            if (v.guards.compareAndSet(current, next)) {
                return next;
            }
            current = v.guards.get();
        }
        return current;
    }

    /** New guards for changed settings, keeping whichever of the breaker and bulkhead did not change. */
    private Guards build(Vitals v, Guards old, Resilience settings) {
        Resilience.Breaker b = settings.breaker();
        CircuitBreaker breaker = old != null && old.settings().equals(b) ? old.breaker() : breaker(v, b);
        int cap = settings.maxConcurrent();
        Bulkhead bulkhead;
        if (old != null && old.maxConcurrent() == cap) {
            bulkhead = old.bulkhead();
        } else {
            bulkhead = cap == 0 ? null : Bulkhead.of(v.id, BulkheadConfig.custom()
                    .maxConcurrentCalls(cap).maxWaitDuration(Duration.ZERO).build());
        }
        return new Guards(b, breaker, cap, bulkhead);
    }

    private CircuitBreaker breaker(Vitals v, Resilience.Breaker b) {
        // Resilience4j wants at least a millisecond for both; a config of zero means "at once".
        Duration openFor = b.openFor().compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : b.openFor();
        Duration slowCall = b.slowCall().compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : b.slowCall();
        CircuitBreaker breaker = CircuitBreaker.of(v.id, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.window())
                .minimumNumberOfCalls(b.minimumCalls())
                .failureRateThreshold(b.failureRate())
                .slowCallRateThreshold(b.slowCallRate())
                .slowCallDurationThreshold(slowCall)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                // Half-opened by the next begin() once openFor has passed: no scheduler thread per breaker.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build());
        return breaker;
    }
}
