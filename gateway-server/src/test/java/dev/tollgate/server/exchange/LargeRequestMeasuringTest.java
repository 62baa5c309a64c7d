package dev.tollgate.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.LoadResult;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.cache.LocalResponseCache;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.trace.Tracer;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.TokenCounter;
import dev.tollgate.core.quota.LocalQuotaStore;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.quota.ScopeUsage;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.RetryBudget;
import dev.tollgate.core.routing.Router;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.Tollgate;
import dev.tollgate.server.Transport;
import dev.tollgate.server.access.KeyRing;
import dev.tollgate.server.health.DeploymentHealth;
import dev.tollgate.server.mock.EmbeddedMocks;
import dev.tollgate.server.pipeline.Drain;
import dev.tollgate.server.pipeline.ProxyInitializer;
import dev.tollgate.server.quality.FeedbackDesk;
import dev.tollgate.server.quality.RecentRequests;
import dev.tollgate.server.spend.Accounting;
import dev.tollgate.server.spend.BudgetAlerts;
import dev.tollgate.server.testing.NoMetrics;
import dev.tollgate.server.upstream.UpstreamPools;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A large request under a budget or a token limit is measured on a {@link MeasuringPool} worker while its event
 * loop serves others, and is then admitted, refused and charged exactly as one measured on the loop. Through the
 * real proxy pipeline on one event loop (so "the loop" is unambiguous), with the built-in mock as the provider and a
 * token counter that can hold a large request on its worker for as long as a test needs.
 */
class LargeRequestMeasuringTest {
    private static final String BUDGETED = "tg-measure-budgeted";
    private static final String TOKEN_LIMITED = "tg-measure-tpm";
    private static final int TPM = 10_000;
    /** A prompt whose body is past the threshold: the counter below makes it one token a character, over the TPM. */
    private static final String LARGE = "x".repeat(MeasuringPool.OFF_LOOP_BYTES);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = """
            server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
            providers:
              mock: { type: mock, mock: { chunks: 2, answer_words: 4 } }
              broken: { type: mock, mock: { faults: { error_rate: 1, error_status: 503 } } }
            prices:
              mock/mock-1: { input: 1, output: 2 }
              broken/broken-1: { input: 1, output: 2 }
            resilience: { retries: { same_deployment: 0 } }
            keys:
              - { name: budgeted, hash: "%s", budget: { usd: 100, period: daily } }
              - { name: tpm, hash: "%s", limits: { tpm: %d } }
            models:
              fast: { deployments: [ { provider: mock, model: mock-1 } ] }
              main: { deployments: [ { provider: broken, model: broken-1 } ], fallbacks: [fast] }
            """.formatted(KeyHash.of(BUDGETED), KeyHash.of(TOKEN_LIMITED), TPM);

    private final Transport transport = Transport.best();
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
    private final EmbeddedMocks mocks = new EmbeddedMocks(transport);
    private final UpstreamPools upstreams = new UpstreamPools(transport);
    private final LocalQuotaStore store = new LocalQuotaStore(java.time.ZoneOffset.UTC);
    private final GatedCounter counter = new GatedCounter();
    private final BlockingQueue<ExchangeSummary> summaries = new LinkedBlockingQueue<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private RuntimeSnapshot snapshot;
    private KeyRing keys;
    private ExchangeServices services;
    private Channel proxy;
    private String loopThread;

    @BeforeEach
    void start() throws Exception {
        ProviderRegistry registry = ProviderRegistry.standard();
        var loaded = (LoadResult.Loaded) new ConfigLoader(Tollgate.providerTypes(registry), name -> null, mocks)
                .parse("test.yaml", CONFIG);
        snapshot = loaded.snapshot();
        Clock clock = Clock.systemUTC();
        var metrics = new NoMetrics() {
            @Override
            public void exchangeFinished(ExchangeSummary summary) {
                summaries.add(summary);
            }
        };
        keys = new KeyRing(snapshot.access(), null, clock);
        var recent = new RecentRequests(100, Duration.ofMinutes(1));
        services = new ExchangeServices(() -> snapshot, registry, upstreams,
                new ExchangeReporter(metrics, null, () -> false, null, recent, null, null), keys,
                new Accounting(store, counter, new BudgetAlerts(() -> snapshot.access().alerts(), metrics,
                        line -> { }, clock), clock),
                new Router(new RetryBudget(), System::nanoTime), new DeploymentHealth(metrics),
                new LocalResponseCache(1 << 20, Ticker.systemTicker()), null, new Flights(),
                Tracer.system(span -> { }),
                new FeedbackDesk(recent, null, metrics, new PiiRedactor(PiiDetector.all()), clock, accepted -> { }),
                new StreamSlots(), new MeasuringPool(1));
        proxy = new ServerBootstrap().group(loop).channel(transport.serverChannel())
                .childHandler(new ProxyInitializer(services, new Drain()))
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        loopThread = loop.submit(() -> Thread.currentThread().getName()).get();
    }

    @AfterEach
    void stop() throws Exception {
        counter.gate.countDown(); // a test that failed holding a request lets it go
        proxy.close().sync();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        services.measuring().close();
        upstreams.close();
        mocks.close();
        keys.close();
        store.close();
        client.close();
    }

    @Test
    void aLargeRequestIsMeasuredOnAWorkerWhileItsLoopServesASmallOne() throws Exception {
        counter.gate = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> large = send(BUDGETED, chat("fast", LARGE));
        assertThat(counter.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        assertThat(counter.largeThreads).containsExactly("tollgate-measure-1");

        // The large request's count is held on its worker: the one loop still admits, measures and answers this.
        HttpResponse<String> small = send(BUDGETED, chat("fast", "hi")).get(10, TimeUnit.SECONDS);
        assertThat(small.statusCode()).isEqualTo(200);
        assertThat(counter.smallThreads).containsExactly(loopThread);
        assertThat(large).isNotDone();

        counter.gate.countDown();
        HttpResponse<String> answered = large.get(10, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        ScopeUsage usage = usage("budgeted");
        assertThat(usage.requests()).isEqualTo(2);
        assertThat(usage.reserved()).isEqualTo(Money.ZERO);
        assertThat(usage.spent()).isEqualTo(cost(small).plus(cost(answered))).isGreaterThan(Money.ZERO);
    }

    @Test
    void aLargeRequestOverTheTokenLimitIsRefusedAsIfMeasuredOnItsLoop() throws Exception {
        HttpResponse<String> offLoop = send(TOKEN_LIMITED, chat("fast", LARGE)).get(10, TimeUnit.SECONDS);
        services.measuring().close(); // a pool that takes no more work: the loop measures for itself
        HttpResponse<String> onLoop = send(TOKEN_LIMITED, chat("fast", LARGE)).get(10, TimeUnit.SECONDS);

        assertThat(counter.largeThreads).containsExactly("tollgate-measure-1", loopThread);
        assertThat(offLoop.statusCode()).isEqualTo(429);
        // One token a character: more than the whole limit, which the refusal says (and no retry helps).
        assertThat(error(offLoop).at("/code").asText()).isEqualTo("tokens_exceed_limit");
        assertThat(error(offLoop)).isEqualTo(error(onLoop));
        assertThat(offLoop.headers().firstValue("x-ratelimit-limit-tokens")).hasValue(Integer.toString(TPM))
                .isEqualTo(onLoop.headers().firstValue("x-ratelimit-limit-tokens"));
        assertThat(offLoop.headers().firstValue("retry-after")).isEqualTo(onLoop.headers().firstValue("retry-after"))
                .isPresent();
        assertThat(usage("tpm").tokens()).isZero(); // refused: nothing reserved

        // One under the limit is admitted with its measured size reserved, as before.
        HttpResponse<String> fits = send(TOKEN_LIMITED, chat("fast", "hi")).get(10, TimeUnit.SECONDS);
        assertThat(fits.statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatLeavesWhileItsRequestIsMeasuredLeavesNoReservationAndNoPermit() throws Exception {
        counter.gate = new CountDownLatch(1);
        byte[] body = chat("fast", LARGE).getBytes(StandardCharsets.UTF_8);
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n"
                    + "authorization: Bearer " + BUDGETED + "\r\ncontent-length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            assertThat(counter.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        }
        ExchangeSummary cancelled = summaries.poll(10, TimeUnit.SECONDS);
        assertThat(cancelled).isNotNull();
        assertThat(cancelled.outcome()).isEqualTo(Outcome.CLIENT_CANCELLED);
        assertThat(inFlight("fast")).isZero();

        counter.gate.countDown(); // the worker finishes; its result finds the exchange over
        assertLateResultDropped();
    }

    @Test
    void aRequestStillBeingMeasuredAtItsDeadlineIsA503AndHoldsNothing() throws Exception {
        counter.gate = new CountDownLatch(1);
        HttpResponse<String> late = send(BUDGETED, chat("fast", LARGE), "x-tollgate-timeout", "1")
                .get(10, TimeUnit.SECONDS);
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(json(late).at("/error/message").asText()).contains("could not measure this request");
        assertThat(late.headers().firstValue("retry-after")).hasValue("1");
        assertThat(inFlight("fast")).isZero();

        counter.gate.countDown();
        assertLateResultDropped();
    }

    @Test
    void aFallbackIsMeasuredAgainOffTheLoopAndCountedOnce() throws Exception {
        HttpResponse<String> r = send(BUDGETED, chat("main", LARGE)).get(10, TimeUnit.SECONDS);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-fallback")).hasValueSatisfying(tried ->
                assertThat(tried).contains("main/broken/broken-1", "fast/mock/mock-1"));
        // Each deployment is quoted at its own price and tokenizer: measured once for each, both times on a worker.
        assertThat(counter.largeThreads).containsExactly("tollgate-measure-1", "tollgate-measure-1");
        ScopeUsage usage = usage("budgeted");
        assertThat(usage.requests()).isEqualTo(1); // the fallback's admission does not count a second request
        assertThat(usage.reserved()).isEqualTo(Money.ZERO);
        assertThat(usage.spent()).isEqualTo(cost(r));
    }

    @Test
    void aLargeBodyThatDoesNotDecodeIsTheSame400OffTheLoopAsOnIt() throws Exception {
        String unreadable = "{\"model\":\"fast\",\"messages\":[{\"role\":\"wizard\",\"content\":\"" + LARGE + "\"}]}";
        HttpResponse<String> offLoop = send(BUDGETED, unreadable).get(10, TimeUnit.SECONDS);
        services.measuring().close();
        HttpResponse<String> onLoop = send(BUDGETED, unreadable).get(10, TimeUnit.SECONDS);

        assertThat(offLoop.statusCode()).isEqualTo(400);
        assertThat(error(offLoop).at("/param").asText()).isEqualTo("messages[0].role");
        assertThat(error(offLoop)).isEqualTo(error(onLoop));
        assertThat(inFlight("fast")).isZero();
        assertThat(usage("budgeted").requests()).isZero();
    }

    /**
     * The measurement of a request that ended first was handed back to the loop and dropped: nothing admitted,
     * reserved or released twice. The pool has one thread, so the next large request is measured only after that
     * measurement handed its result to the loop, which runs it before this request's own result.
     */
    private void assertLateResultDropped() throws Exception {
        HttpResponse<String> next = send(BUDGETED, chat("fast", LARGE)).get(10, TimeUnit.SECONDS);
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(counter.largeThreads).containsExactly("tollgate-measure-1", "tollgate-measure-1");
        ScopeUsage usage = usage("budgeted");
        assertThat(usage.requests()).isEqualTo(1);
        assertThat(usage.reserved()).isEqualTo(Money.ZERO);
        assertThat(usage.concurrent()).isZero();
        assertThat(inFlight("fast")).isZero();
    }

    private CompletableFuture<HttpResponse<String>> send(String key, String body, String... headers) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
                .header("authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String model, String text) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"" + text
                + "\"}]}";
    }

    private int port() {
        return ((InetSocketAddress) proxy.localAddress()).getPort();
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** The error of an answer, but for the request id each answer has its own of. */
    private static JsonNode error(HttpResponse<String> response) throws Exception {
        var error = (ObjectNode) json(response).at("/error");
        error.remove("request_id");
        return error;
    }

    private static Money cost(HttpResponse<String> response) {
        return Money.ofUsd(response.headers().firstValue("x-tollgate-cost-usd").orElseThrow());
    }

    /**
     * A key's counters, read on the loop: after the task that answered a request, which settles its reservation
     * right after writing the answer.
     */
    private ScopeUsage usage(String keyName) throws Exception {
        VirtualKey key = keys.byName(keyName, snapshot.access());
        return loop.submit(() -> store.usage(QuotaCheck.at(key.scope(), key.limits(), key.budget(),
                        Clock.systemUTC().instant(), snapshot.access().zone()), Clock.systemUTC().instant())
                .toCompletableFuture().join()).get();
    }

    /** The deployment permits of a model's deployment that are still out, read on the loop likewise. */
    private int inFlight(String model) throws Exception {
        Deployment deployment = snapshot.models().get(model).deployments().getFirst();
        return loop.submit(() -> services.health().load(deployment).inFlight()).get();
    }

    /**
     * One token a character of the last user message. Notes the thread each request is measured on, and holds a
     * large one (from the threshold up) until {@link #gate} opens, releasing {@link #entered} as it starts waiting.
     */
    private static final class GatedCounter implements TokenCounter {
        final Queue<String> largeThreads = new ConcurrentLinkedQueue<>();
        final Queue<String> smallThreads = new ConcurrentLinkedQueue<>();
        final Semaphore entered = new Semaphore(0);
        volatile CountDownLatch gate = new CountDownLatch(0);

        @Override
        public long inputTokens(ChatRequest request, String providerType, String upstreamModel) {
            String text = request.lastUserText();
            if (text.length() < MeasuringPool.OFF_LOOP_BYTES) {
                smallThreads.add(Thread.currentThread().getName());
                return text.length();
            }
            largeThreads.add(Thread.currentThread().getName());
            entered.release();
            try {
                if (!gate.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return text.length();
        }
    }
}
