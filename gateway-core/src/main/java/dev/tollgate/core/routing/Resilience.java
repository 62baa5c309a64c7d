package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How hard the gateway tries, and how it protects providers and itself: retries and their budget, a circuit
 * breaker and a bulkhead per deployment, and what a client may change per request.
 *
 * @param maxConcurrent requests in flight per deployment through this gateway (a bulkhead); 0 for no cap
 */
public record Resilience(Retries retries, Breaker breaker, int maxConcurrent, ClientControls client) {
    public static final Resilience DEFAULTS = new Resilience(Retries.DEFAULTS, Breaker.DEFAULTS, 0,
            ClientControls.DEFAULTS);

    public Resilience {
        requireNonNull(retries, "retries");
        requireNonNull(breaker, "breaker");
        requireNonNull(client, "client");
        if (maxConcurrent < 0) {
            throw new IllegalArgumentException("maxConcurrent cannot be negative");
        }
    }

    /**
     * @param sameDeployment further attempts on the deployment that failed, when no other candidate is left
     * @param maxAttempts attempts of one request in all (first, retries and fallbacks)
     * @param backoff the first wait before a retry on the same deployment; doubles each time, with full jitter
     * @param maxBackoff the longest such wait
     * @param maxRetryAfter the longest {@code Retry-After} the gateway waits out itself; a longer one is passed
     *     to the client (when no other deployment can take the request)
     * @param budgetRatio retries allowed per first attempt over the last ten seconds, gateway-wide (0.2: an outage
     *     adds at most 20% traffic)
     * @param budgetFloor retries per second always allowed, so a quiet gateway can still retry
     */
    public record Retries(int sameDeployment, int maxAttempts, Duration backoff, Duration maxBackoff,
                          Duration maxRetryAfter, double budgetRatio, int budgetFloor) {
        public static final Retries DEFAULTS = new Retries(1, 4, Duration.ofMillis(200), Duration.ofSeconds(5),
                Duration.ofSeconds(10), 0.2, 10);

        public Retries {
            requireNonNull(backoff, "backoff");
            requireNonNull(maxBackoff, "maxBackoff");
            requireNonNull(maxRetryAfter, "maxRetryAfter");
            if (sameDeployment < 0 || maxAttempts < 1 || budgetRatio < 0 || budgetFloor < 0) {
                throw new IllegalArgumentException("retry settings out of range");
            }
        }
    }

    /**
     * A circuit breaker per deployment (Resilience4j's count-based sliding window).
     *
     * @param failureRate percent of failed calls in the window that opens it
     * @param slowCallRate percent of calls slower than {@code slowCall} that opens it
     * @param slowCall how long a call (to its response head) may take before it counts as slow
     * @param window calls the rates are computed over
     * @param minimumCalls calls needed before the rates count
     * @param openFor how long it stays open before letting probes through
     * @param halfOpenCalls probes let through while half-open
     */
    public record Breaker(int failureRate, int slowCallRate, Duration slowCall, int window, int minimumCalls,
                          Duration openFor, int halfOpenCalls) {
        public static final Breaker DEFAULTS = new Breaker(50, 100, Duration.ofSeconds(60), 20, 10,
                Duration.ofSeconds(30), 3);

        public Breaker {
            requireNonNull(slowCall, "slowCall");
            requireNonNull(openFor, "openFor");
            if (failureRate < 1 || failureRate > 100 || slowCallRate < 1 || slowCallRate > 100 || window < 1
                    || minimumCalls < 1 || halfOpenCalls < 1) {
                throw new IllegalArgumentException("circuit breaker settings out of range");
            }
        }
    }

    /**
     * What a client may ask for per request, within the admin's bounds.
     *
     * @param maxTimeout the longest {@code x-tollgate-timeout} honoured (longer ones are cut to it)
     * @param maxRetries the most {@code x-tollgate-retries} honoured
     * @param mayDisableFallbacks whether {@code x-tollgate-fallbacks: off} is honoured
     */
    public record ClientControls(Duration maxTimeout, int maxRetries, boolean mayDisableFallbacks) {
        public static final ClientControls DEFAULTS = new ClientControls(Duration.ofMinutes(10), 3, true);

        public ClientControls {
            requireNonNull(maxTimeout, "maxTimeout");
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries cannot be negative");
            }
        }
    }
}
