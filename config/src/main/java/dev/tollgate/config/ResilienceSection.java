package dev.tollgate.config;

import dev.tollgate.core.routing.Resilience;
import java.time.Duration;
import java.util.Set;

/**
 * Binds {@code resilience}: retries and their budget, the circuit breaker and bulkhead of each deployment, and
 * what a client may change per request. Every key is optional with {@link Resilience#DEFAULTS}; the bounds keep a
 * typo from turning one failing request into a storm of retries.
 */
final class ResilienceSection {
    static final Set<String> KEYS = Set.of("retries", "circuit_breaker", "max_concurrent_per_deployment", "client");
    static final Set<String> RETRY_KEYS = Set.of("same_deployment", "max_attempts", "backoff", "max_backoff",
            "max_retry_after", "budget_ratio", "budget_floor");
    static final Set<String> BREAKER_KEYS = Set.of("failure_rate", "slow_call_rate", "slow_call", "window",
            "minimum_calls", "open_for", "half_open_calls");
    static final Set<String> CLIENT_KEYS = Set.of("max_timeout", "max_retries", "may_disable_fallbacks");

    static final int MAX_SAME_DEPLOYMENT = 10;
    static final int MAX_ATTEMPTS = 20;
    static final int MAX_BUDGET_FLOOR = 10_000;
    static final int MAX_WINDOW = 10_000;
    static final int MAX_HALF_OPEN_CALLS = 1000;
    static final int MAX_CLIENT_RETRIES = 10;
    /** Durations must be positive: a zero backoff or open time would hammer a failing deployment. */
    private static final Duration POSITIVE = Duration.ofMillis(1);

    private ResilienceSection() {}

    static Resilience bind(MappingReader r, Diagnostics problems) {
        return new Resilience(
                retries(r.child("retries", RETRY_KEYS), problems),
                breaker(r.child("circuit_breaker", BREAKER_KEYS)),
                r.integer("max_concurrent_per_deployment", Resilience.DEFAULTS.maxConcurrent(), 0,
                        QuotaSection.MAX_CONCURRENT),
                client(r.child("client", CLIENT_KEYS)));
    }

    private static Resilience.Retries retries(MappingReader r, Diagnostics problems) {
        Resilience.Retries d = Resilience.Retries.DEFAULTS;
        Duration backoff = r.duration("backoff", d.backoff(), POSITIVE);
        Duration maxBackoff = r.duration("max_backoff", d.maxBackoff(), POSITIVE);
        if (backoff.compareTo(maxBackoff) > 0) {
            problems.error(r.origin(r.has("backoff") ? "backoff" : "max_backoff"), "backoff ("
                    + DurationSyntax.format(backoff) + ") cannot be longer than max_backoff ("
                    + DurationSyntax.format(maxBackoff) + ")");
        }
        return new Resilience.Retries(
                r.integer("same_deployment", d.sameDeployment(), 0, MAX_SAME_DEPLOYMENT),
                r.integer("max_attempts", d.maxAttempts(), 1, MAX_ATTEMPTS),
                backoff,
                maxBackoff,
                r.duration("max_retry_after", d.maxRetryAfter(), POSITIVE),
                r.number("budget_ratio", d.budgetRatio(), 0, 1),
                r.integer("budget_floor", d.budgetFloor(), 0, MAX_BUDGET_FLOOR));
    }

    private static Resilience.Breaker breaker(MappingReader b) {
        Resilience.Breaker d = Resilience.Breaker.DEFAULTS;
        return new Resilience.Breaker(
                b.integer("failure_rate", d.failureRate(), 1, 100),
                b.integer("slow_call_rate", d.slowCallRate(), 1, 100),
                b.duration("slow_call", d.slowCall(), POSITIVE),
                b.integer("window", d.window(), 1, MAX_WINDOW),
                b.integer("minimum_calls", d.minimumCalls(), 1, MAX_WINDOW),
                b.duration("open_for", d.openFor(), POSITIVE),
                b.integer("half_open_calls", d.halfOpenCalls(), 1, MAX_HALF_OPEN_CALLS));
    }

    private static Resilience.ClientControls client(MappingReader c) {
        Resilience.ClientControls d = Resilience.ClientControls.DEFAULTS;
        return new Resilience.ClientControls(
                c.duration("max_timeout", d.maxTimeout(), POSITIVE),
                c.integer("max_retries", d.maxRetries(), 0, MAX_CLIENT_RETRIES),
                c.bool("may_disable_fallbacks", d.mayDisableFallbacks()));
    }
}
