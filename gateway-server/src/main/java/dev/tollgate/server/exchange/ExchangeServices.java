package dev.tollgate.server.exchange;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.observe.trace.Tracer;
import dev.tollgate.core.routing.Router;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.access.KeyRing;
import dev.tollgate.server.health.DeploymentHealth;
import dev.tollgate.server.quality.FeedbackDesk;
import dev.tollgate.server.store.RedisResponseCache;
import dev.tollgate.server.spend.Accounting;
import dev.tollgate.server.upstream.UpstreamPools;
import java.util.function.Supplier;

/**
 * What every exchange on the proxy port uses; built once by {@code Main}.
 *
 * @param snapshot the current config; each request reads it once and keeps that one for its whole life
 * @param providers the adapters and the client dialects
 * @param keys the virtual keys in force
 * @param accounting limits, budgets and prices
 * @param router resolves requests to deployments; keeps round-robin turns and the retry budget
 * @param health each deployment's circuit breaker, bulkhead, latency and provider-reported quota
 * @param cache the response cache's store (it outlives reloads; each model's policy comes from the snapshot)
 * @param sharedCache the second level in Redis that every replica shares, or null
 * @param flights the identical requests in flight, which share one upstream call (request coalescing)
 * @param tracer starts the spans of traced requests (whether a request is traced is the snapshot's say)
 * @param feedback takes {@code POST /v1/feedback}
 * @param streams the streamed answers under way, against {@code server.max_streams}
 * @param measuring the threads that measure large requests for budgets and token limits, off the event loops
 */
public record ExchangeServices(
        Supplier<RuntimeSnapshot> snapshot,
        ProviderRegistry providers,
        UpstreamPools upstreams,
        ExchangeReporter reporter,
        KeyRing keys,
        Accounting accounting,
        Router router,
        DeploymentHealth health,
        ResponseCache cache,
        RedisResponseCache sharedCache,
        Flights flights,
        Tracer tracer,
        FeedbackDesk feedback,
        StreamSlots streams,
        MeasuringPool measuring) {
    public ExchangeServices {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(providers, "providers");
        requireNonNull(upstreams, "upstreams");
        requireNonNull(reporter, "reporter");
        requireNonNull(keys, "keys");
        requireNonNull(accounting, "accounting");
        requireNonNull(router, "router");
        requireNonNull(health, "health");
        requireNonNull(cache, "cache");
        requireNonNull(flights, "flights");
        requireNonNull(tracer, "tracer");
        requireNonNull(feedback, "feedback");
        requireNonNull(streams, "streams");
        requireNonNull(measuring, "measuring");
    }
}
