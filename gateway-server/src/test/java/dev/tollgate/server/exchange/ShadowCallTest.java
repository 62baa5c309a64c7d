package dev.tollgate.server.exchange;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.cache.CacheSettings;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.guard.GuardrailPolicy;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.observe.trace.Tracer;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.quality.ReviewSettings;
import dev.tollgate.core.cache.LocalResponseCache;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.LocalQuotaStore;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.RetryBudget;
import dev.tollgate.core.routing.Router;
import dev.tollgate.core.routing.RoutingTable;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.runtime.MetricsSettings;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.core.runtime.StorageSettings;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.Transport;
import dev.tollgate.server.access.KeyRing;
import dev.tollgate.server.health.DeploymentHealth;
import dev.tollgate.server.quality.FeedbackDesk;
import dev.tollgate.server.quality.RecentRequests;
import dev.tollgate.server.spend.Accounting;
import dev.tollgate.server.spend.BudgetAlerts;
import dev.tollgate.server.testing.NoMetrics;
import dev.tollgate.server.upstream.UpstreamPools;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shadow copies against a real upstream connection: what each ending reports, the in-flight cap, no leaks. */
class ShadowCallTest {
    /** $1 per million input tokens, $2 per million output. */
    private static final Price PRICE = new Price(Money.ofUsd("1"), Money.ofUsd("2"), Money.ofUsd("1"),
            Money.ofUsd("1"), Money.ofUsd("2"), 0);
    private static final Timeouts QUICK = new Timeouts(Duration.ofSeconds(1), Duration.ofMillis(300),
            Duration.ofMillis(300), Duration.ofSeconds(2));
    private static final String ANSWER = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-x",
             "choices":[{"index":0,"message":{"role":"assistant","content":"shadowed"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}""";

    private final BlockingQueue<ExchangeSummary> summaries = new LinkedBlockingQueue<>();
    private final Transport transport = Transport.best();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
    private final UpstreamPools pools = new UpstreamPools(transport);
    private final LocalQuotaStore store = new LocalQuotaStore(ZoneId.of("UTC"));
    private final WireMockServer upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private KeyRing keys;
    private ExchangeServices services;
    private RuntimeSnapshot snapshot;

    @BeforeEach
    void start() {
        upstream.start();
        GatewayMetrics metrics = new Recording(summaries);
        Clock clock = Clock.systemUTC();
        keys = new KeyRing(AccessPolicy.OPEN, null, clock);
        Accounting accounting = new Accounting(store, (request, type, model) -> 100,
                new BudgetAlerts(() -> null, metrics, line -> { }, clock), clock);
        snapshot = new RuntimeSnapshot("test", ServerSettings.DEFAULTS, Map.of(), Map.of(), AccessPolicy.OPEN,
                Map.of("gpt-x", PRICE), new StorageSettings(null, null, "t:", StorageSettings.OnStoreFailure.LOCAL,
                        StorageSettings.OnStoreFailure.FAIL_CLOSED, Path.of("spill"), 1 << 20), RoutingTable.DEFAULT,
                CacheSettings.OFF, TraceSettings.OFF, MetricsSettings.DEFAULTS, ReviewSettings.OFF, PromptRegistry.EMPTY,
                GuardrailPolicy.NONE, EvaluationSettings.OFF);
        var recent = new RecentRequests(100, Duration.ofMinutes(1));
        services = new ExchangeServices(() -> snapshot, ProviderRegistry.standard(), pools,
                new ExchangeReporter(metrics, null, () -> false, null, recent, null, null), keys, accounting,
                new Router(new RetryBudget(), System::nanoTime), new DeploymentHealth(metrics),
                new LocalResponseCache(1 << 20, Ticker.systemTicker()), null, new Flights(),
                Tracer.system(span -> { }),
                new FeedbackDesk(recent, null, metrics, new PiiRedactor(PiiDetector.all()), clock, accepted -> { }),
                new StreamSlots(), new MeasuringPool(1));
    }

    @AfterEach
    void stop() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        services.measuring().close();
        pools.close();
        keys.close();
        store.close();
        upstream.stop();
    }

    @Test
    void aSuccessIsReportedAsShadowWithItsUsageAndCostAndNoCaller() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withBody(ANSWER)));
        ShadowCall.send(loop(), services, snapshot, "candidate", deployment(Timeouts.DEFAULTS), streamed(), "req-1");

        ExchangeSummary s = next();
        assertThat(s.route()).isEqualTo("shadow");
        assertThat(s.requestId()).isEqualTo("req-1.shadow");
        assertThat(s.spendId()).startsWith("req_").isNotEqualTo("req-1");
        assertThat(s.model()).isEqualTo("candidate");
        assertThat(s.deployment()).isEqualTo("candidate/p/gpt-x");
        assertThat(s.provider()).isEqualTo("p");
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(s.errorKind()).isNull();
        assertThat(s.stream()).isFalse();
        assertThat(s.usage()).isEqualTo(Usage.reported(1000, 500));
        // 1,000 input at $1/M and 500 output at $2/M.
        assertThat(s.cost()).isEqualTo(Money.ofUsd("0.002"));
        assertThat(s.costEstimated()).isFalse();
        assertThat(s.key()).isNull();
        assertThat(s.team()).isNull();
        assertThat(s.user()).isNull();
        assertThat(s.upstreamNanos()).isPositive().isLessThanOrEqualTo(s.latencyNanos());
        assertThat(s.billable()).isTrue();

        // The copy asked for a whole answer, not a stream, and named itself to the upstream.
        var sent = upstream.getAllServeEvents().getFirst().getRequest();
        assertThat(sent.getBodyAsString()).doesNotContain("\"stream\":true").contains("\"model\":\"gpt-x\"");
        assertThat(sent.getHeader("x-request-id")).isEqualTo("req-1.shadow");
    }

    @Test
    void anUpstreamErrorIsReportedAsAProviderFailureAtNoCost() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                .withHeader("content-type", "application/json")
                .withBody("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":null}}")));
        ShadowCall.send(loop(), services, snapshot, "candidate", deployment(Timeouts.DEFAULTS), streamed(), "req-2");

        ExchangeSummary s = next();
        assertThat(s.route()).isEqualTo("shadow");
        assertThat(s.status()).isEqualTo(500);
        assertThat(s.errorKind()).isEqualTo(ErrorKind.PROVIDER_ERROR);
        assertThat(s.outcome()).isEqualTo(Outcome.PROVIDER_ERROR);
        assertThat(s.usage()).isEqualTo(Usage.UNKNOWN);
        assertThat(s.cost()).isEqualTo(Money.ZERO);
        assertThat(s.key()).isNull();
    }

    @Test
    void anUpstreamThatSendsNothingInTimeIsATimeout() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withFixedDelay(1500).withHeader("content-type", "application/json").withBody(ANSWER)));
        ShadowCall.send(loop(), services, snapshot, "candidate", deployment(QUICK), streamed(), "req-3");

        ExchangeSummary s = next();
        assertThat(s.errorKind()).isEqualTo(ErrorKind.PROVIDER_TIMEOUT);
        assertThat(s.status()).isEqualTo(504);
        assertThat(s.latencyNanos()).isLessThan(Duration.ofMillis(1400).toNanos());
        assertThat(s.cost()).isEqualTo(Money.ZERO);
    }

    @Test
    void anUnreachableUpstreamIsReportedWithoutAnUpstreamTime() throws Exception {
        int port = upstream.port();
        upstream.stop();
        ShadowCall.send(loop(), services, snapshot, "candidate", deployment(QUICK, port), streamed(), "req-4");

        ExchangeSummary s = next();
        assertThat(s.errorKind()).isEqualTo(ErrorKind.PROVIDER_UNREACHABLE);
        assertThat(s.upstreamNanos()).isEqualTo(-1);
        assertThat(s.billable()).isFalse();
    }

    @Test
    void copiesBeyondTheCapAreDroppedAndTheSlotComesBack() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withFixedDelay(300).withHeader("content-type", "application/json").withBody(ANSWER)));
        var cap = new ShadowCall.Cap(2);
        Deployment d = deployment(Timeouts.DEFAULTS);
        for (int i = 0; i < 5; i++) {
            ShadowCall.send(cap, loop(), services, snapshot, "candidate", d, streamed(), "req-" + i);
        }
        assertThat(cap.dropped()).isEqualTo(3);
        next();
        next();
        assertThat(summaries.poll(500, TimeUnit.MILLISECONDS)).isNull();
        assertThat(cap.inFlight()).isZero();

        ShadowCall.send(cap, loop(), services, snapshot, "candidate", d, streamed(), "req-again");
        assertThat(next().requestId()).isEqualTo("req-again.shadow");
        assertThat(cap.dropped()).isEqualTo(3);
        assertThat(upstream.getAllServeEvents()).hasSize(3);
    }

    private EventLoop loop() {
        return group.next();
    }

    private ExchangeSummary next() throws InterruptedException {
        ExchangeSummary s = summaries.poll(5, TimeUnit.SECONDS);
        assertThat(s).as("a summary").isNotNull();
        return s;
    }

    private Deployment deployment(Timeouts timeouts) {
        return deployment(timeouts, upstream.port());
    }

    private static Deployment deployment(Timeouts timeouts, int port) {
        var provider = new Provider("p", "openai", URI.create("http://127.0.0.1:" + port + "/v1"), null,
                "authorization", List.of(), timeouts, null, null);
        return new Deployment("candidate/p/gpt-x", provider, "gpt-x", 1, Limits.NONE);
    }

    /** A client's streamed request by a named end user: the copy must neither stream nor name the user's key. */
    private static ChatRequest streamed() {
        return new ChatRequest("primary", List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, List.of(), null,
                null, true, true, "alice", Map.of(), "openai");
    }

    /** Metrics that keep each summary for the test. */
    private static final class Recording extends NoMetrics {
        private final BlockingQueue<ExchangeSummary> summaries;

        Recording(BlockingQueue<ExchangeSummary> summaries) {
            this.summaries = summaries;
        }

        @Override
        public void exchangeFinished(ExchangeSummary summary) {
            summaries.add(summary);
        }
    }
}
