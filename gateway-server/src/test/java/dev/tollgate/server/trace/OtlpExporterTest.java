package dev.tollgate.server.trace;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.observe.trace.Span;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.observe.trace.Tracer;
import dev.tollgate.core.spi.Header;
import dev.tollgate.server.log.LogSink;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Batching, retries, counting and the flush on close, against WireMock as the collector. */
class OtlpExporterTest {
    static final ObjectMapper JSON = new ObjectMapper();

    WireMockServer collector;
    final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    LogSink log;

    @BeforeEach
    void start() {
        collector = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        collector.start();
        log = new LogSink(logged, 1024);
    }

    @AfterEach
    void stop() {
        log.close();
        collector.stop();
    }

    TraceSettings settings(int maxQueue, int batchSize) {
        return new TraceSettings(true, URI.create("http://127.0.0.1:" + collector.port() + "/base"),
                List.of(new Header("Authorization", "Bearer t0ken")), 1.0, "svc", Duration.ofSeconds(2), maxQueue,
                batchSize);
    }

    static void record(Tracer tracer, int n) {
        for (int i = 0; i < n; i++) {
            Span s = tracer.server(TraceSettings.OFF, null, "chat \"quoted\"\n", System.nanoTime());
            s.put("flag", true).put("ratio", 0.25).put("reasons", List.of("stop", "length"));
            s.end();
        }
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    @Test
    void sendsFullBatchesAtOnceWithTheHeadersAndRetriesAnOverloadedCollector() throws Exception {
        collector.stubFor(post(urlEqualTo("/base/v1/traces")).inScenario("busy").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "0")).willSetStateTo("ok"));
        collector.stubFor(post(urlEqualTo("/base/v1/traces")).inScenario("busy").whenScenarioStateIs("ok")
                .willReturn(okJson("{}")));
        var exporter = new OtlpExporter(() -> settings(100, 3), log);
        record(Tracer.system(exporter), 3);
        await(() -> exporter.counts().exported() == 3);
        assertThat(exporter.counts()).isEqualTo(new OtlpExporter.Counts(3, 0, 0));
        var requests = collector.findAll(postRequestedFor(urlEqualTo("/base/v1/traces")));
        // The 503, then the same batch again. (The thread may take a batch while the last span is being queued,
        // so the three can come in more than one batch.)
        assertThat(requests.get(1).getBodyAsString()).isEqualTo(requests.get(0).getBodyAsString());
        assertThat(requests.getLast().getHeader("Authorization")).isEqualTo("Bearer t0ken");
        int sent = 0;
        for (var request : requests.subList(1, requests.size())) {
            sent += JSON.readTree(request.getBodyAsString()).at("/resourceSpans/0/scopeSpans/0/spans").size();
        }
        assertThat(sent).isEqualTo(3);
        JsonNode body = JSON.readTree(requests.getLast().getBodyAsString());
        JsonNode spans = body.at("/resourceSpans/0/scopeSpans/0/spans");
        JsonNode span = spans.get(0);
        assertThat(span.get("name").asText()).isEqualTo("chat \"quoted\"\n");
        assertThat(span.has("parentSpanId")).isFalse();
        assertThat(span.get("kind").asInt()).isEqualTo(2);
        assertThat(span.at("/attributes/0/value/boolValue").asBoolean()).isTrue();
        assertThat(span.at("/attributes/1/value/doubleValue").asDouble()).isEqualTo(0.25);
        assertThat(span.at("/attributes/2/value/arrayValue/values/1/stringValue").asText()).isEqualTo("length");
        exporter.close();
    }

    @Test
    void aRefusedBatchFailsWithoutRetryAndIsLoggedWithoutTheHeaders() throws Exception {
        collector.stubFor(post(urlEqualTo("/base/v1/traces")).willReturn(aResponse().withStatus(400)));
        var exporter = new OtlpExporter(() -> settings(100, 2), log);
        record(Tracer.system(exporter), 2);
        await(() -> exporter.counts().failed() == 2);
        assertThat(collector.findAll(postRequestedFor(urlEqualTo("/base/v1/traces")))).hasSize(1);
        exporter.close();
        log.close();
        String text = logged.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("the collector answered 400").contains("tracing: exporter stopped")
                .doesNotContain("t0ken");
    }

    @Test
    void aRetryAfterLongerThanTheLongestBackoffFailsTheBatchAtOnceInSecondsOrAsADate() throws Exception {
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)
                .plusMinutes(1));
        for (String retryAfter : List.of("60", inAMinute)) {
            collector.resetAll();
            collector.stubFor(post(urlEqualTo("/base/v1/traces"))
                    .willReturn(aResponse().withStatus(429).withHeader("Retry-After", retryAfter)));
            var exporter = new OtlpExporter(() -> settings(100, 1), log);
            record(Tracer.system(exporter), 1);
            // Retrying within 5 s of a collector that asked for a minute would only be refused again, 3 times.
            await(() -> exporter.counts().failed() == 1);
            assertThat(collector.findAll(postRequestedFor(urlEqualTo("/base/v1/traces")))).hasSize(1);
            exporter.close();
        }
        log.close();
        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("the collector answered 429 with Retry-After");
    }

    @Test
    void aFullQueueDropsAndCloseSendsWhatIsQueued() throws Exception {
        collector.stubFor(post(urlEqualTo("/base/v1/traces")).willReturn(okJson("{}")));
        var exporter = new OtlpExporter(() -> settings(5, 5), log);
        Tracer tracer = Tracer.system(exporter);
        // Below a full batch nothing is sent before the interval: close sends the four.
        record(tracer, 4);
        exporter.close();
        record(tracer, 1); // after close: dropped, never sent
        assertThat(exporter.counts()).isEqualTo(new OtlpExporter.Counts(4, 0, 1));
        var fresh = new OtlpExporter(() -> settings(2, 2), log);
        Tracer other = Tracer.system(fresh);
        // The queue holds two; whatever the thread has not taken yet is dropped beyond that.
        for (int i = 0; i < 50; i++) {
            record(other, 1);
        }
        fresh.close();
        var counts = fresh.counts();
        assertThat(counts.exported() + counts.failed() + counts.dropped()).isEqualTo(50);
        assertThat(counts.dropped()).isPositive();
    }

    @Test
    void closeIsBoundedByTheExportTimeoutWhateverTheQueueHolds() throws Exception {
        // A collector that never answers in time: each request would wait the whole export timeout.
        collector.stubFor(post(urlEqualTo("/base/v1/traces")).willReturn(okJson("{}").withFixedDelay(5_000)));
        TraceSettings slow = new TraceSettings(true, URI.create("http://127.0.0.1:" + collector.port() + "/base"),
                List.of(), 1.0, "svc", Duration.ofMillis(300), 100, 1);
        var exporter = new OtlpExporter(() -> slow, log);
        record(Tracer.system(exporter), 20);
        long start = System.nanoTime();
        exporter.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // One batch at a time, 300 ms each, would take 6 s; the flush stops at the first failure instead.
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        var counts = exporter.counts();
        assertThat(counts.exported()).isZero();
        assertThat(counts.failed() + counts.dropped()).isEqualTo(20);
    }

    @Test
    void aGatewayThatTracesNothingStartsNoThread() {
        var exporter = new OtlpExporter(() -> settings(10, 10), log);
        exporter.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("tollgate-span-export"));
        assertThat(exporter.counts()).isEqualTo(new OtlpExporter.Counts(0, 0, 0));
    }
}
