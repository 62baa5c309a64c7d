package dev.tollgate.metrics;

import static dev.tollgate.metrics.MeterNames.*;

import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meters in a Prometheus registry. {@link #exchangeFinished} runs on event loops: meters are looked
 * up by their (bounded) tags, which Micrometer caches, and recording is lock-free.
 */
public final class PrometheusMetrics implements GatewayMetrics {
    /** Buckets for whole-request latency: LLM calls run from milliseconds to minutes. */
    private static final Duration[] LATENCY_SLOS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)
    };
    private static final double[] TOKEN_SLOS = {16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Override
    public void exchangeFinished(ExchangeSummary s) {
        String model = s.model() == null ? NONE : s.model();
        String provider = s.provider() == null ? NONE : s.provider();
        String error = s.errorKind() == null ? NONE : s.errorKind().label();
        Tags base = Tags.of(ROUTE, s.route(), MODEL, model, PROVIDER, provider);
        Counter.builder(REQUESTS)
                .description("Requests finished, by route, model, deployment, status and outcome")
                .tags(base)
                .tags(DEPLOYMENT, s.deployment() == null ? NONE : s.deployment(),
                        STATUS, Integer.toString(s.status()), OUTCOME, s.outcome().label(), ERROR_TYPE, error)
                .register(registry)
                .increment();
        Timer.builder(REQUEST_DURATION)
                .description("Time from admission to the last byte sent to the client")
                .tags(base)
                .tags(STREAM, Boolean.toString(s.stream()), ERROR_TYPE, error)
                .serviceLevelObjectives(LATENCY_SLOS)
                .register(registry)
                .record(s.latencyNanos(), TimeUnit.NANOSECONDS);
        if (s.firstTokenNanos() >= 0) {
            Timer.builder(TIME_TO_FIRST_TOKEN)
                    .description("Time from admission to the first content sent to a streaming client")
                    .tags(base)
                    .serviceLevelObjectives(LATENCY_SLOS)
                    .register(registry)
                    .record(s.firstTokenNanos(), TimeUnit.NANOSECONDS);
        }
        if (s.usage().inputTokens() > 0 || s.usage().outputTokens() > 0) {
            tokens(base, "input", s.usage().inputTokens());
            tokens(base, "output", s.usage().outputTokens());
        }
    }

    private void tokens(Tags base, String type, long count) {
        DistributionSummary.builder(TOKEN_USAGE)
                .description("Tokens per request, by type")
                .baseUnit("tokens")
                .tags(base)
                .tag(TOKEN_TYPE, type)
                .serviceLevelObjectives(TOKEN_SLOS)
                .register(registry)
                .record(count);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
