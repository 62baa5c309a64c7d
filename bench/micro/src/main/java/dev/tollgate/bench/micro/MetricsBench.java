package dev.tollgate.bench.micro;

import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.metrics.PrometheusMetrics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the metrics port costs a request: the three calls an exchange makes on {@link PrometheusMetrics}
 * ({@code exchangeStarted}, {@code exchangeFinished} with its summary, {@code exchangeEnded}) for a successful chat
 * through key {@code bench-app} of team {@code bench}, with per-key series on (the default). Its meters exist after
 * the first call, as on a gateway that has served that combination once. The registry is shared by the benchmark's
 * threads, as by the event loops: run with {@code -t 2} to see two loops recording at once.
 */
@State(Scope.Benchmark)
public class MetricsBench extends MicroBench {
    /** Whether the request streamed: a stream also records time to first token and time per output token. */
    @Param({"false", "true"})
    public boolean stream;

    private PrometheusMetrics metrics;
    private ExchangeSummary summary;

    @Setup
    public void setUp() {
        metrics = new PrometheusMetrics();
        Deployment deployment = Fixtures.deployment(Fixtures.snapshot(), Api.OPENAI.model());
        // 42 ms in all, 40 of them upstream, the first token after 9 ms: what a short streamed answer looks like.
        summary = new ExchangeSummary("req_01JYB7MZ3C4V8E5XQK2N9TDRWA", "chat", Operation.CHAT, Api.OPENAI.model(),
                "gpt-4o-mini-2024-07-18", deployment.id(), deployment.provider().id(), 200, Outcome.SUCCESS, null,
                stream, 42_000_000, stream ? 9_000_000 : -1, 40_000_000, Usage.reported(38, 64), "bench-app",
                "bench", null, Money.ofUsd("0.0000441"), false, "req_01JYB7MZ3C4V8E5XQK2N9TDRWA", RouteTrace.NONE,
                null, null);
    }

    @Benchmark
    public void record() {
        metrics.exchangeStarted(stream);
        metrics.exchangeFinished(summary);
        metrics.exchangeEnded(stream);
    }

    /** The registry in Prometheus text, for checks. */
    String scrape() {
        return metrics.scrape();
    }
}
