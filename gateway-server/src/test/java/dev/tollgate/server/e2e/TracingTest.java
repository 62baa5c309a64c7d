package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.server.testing.RunningGateway;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tracing through the real gateway: one WireMock server is both the provider ({@code /a/v1}) and the OTLP/HTTP
 * collector ({@code /otel/v1/traces}), so the spans it receives can be checked against the {@code traceparent} the
 * provider saw.
 */
class TracingTest {
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String PARENT_ID = "00f067aa0ba902b7";
    static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
    static final String ANSWER = """
            {"id":"chatcmpl-42","object":"chat.completion","created":1,"model":"model-a-2026",
             "choices":[{"index":0,"message":{"role":"assistant","content":"secret answer"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}""";

    WireMockServer wire;

    @BeforeEach
    void start() {
        wire = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wire.start();
        wire.stubFor(post(urlEqualTo("/otel/v1/traces")).willReturn(okJson("{}")));
    }

    @AfterEach
    void stop() {
        wire.stop();
    }

    String config(String tracing, String resilience) {
        String base = "http://127.0.0.1:" + wire.port();
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  a: { type: openai, base_url: %s/a/v1, timeouts: { first_byte: 2s } }
                models:
                  main: { deployments: [ { provider: a, model: model-a } ] }
                """.formatted(base) + tracing + resilience;
    }

    String tracingOn() {
        return "tracing: { enabled: true, endpoint: \"http://127.0.0.1:" + wire.port() + "/otel\", "
                + "service_name: gw-test, headers: { x-collector-key: \"${env:COLLECTOR_KEY}\" } }\n";
    }

    static HttpResponse<String> chat(RunningGateway g, String... headers) throws Exception {
        String body = "{\"model\":\"main\",\"max_tokens\":50,\"temperature\":0.5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"my private prompt\"}]}";
        return Http.post(g.url("/v1/chat/completions"), body, headers);
    }

    /** The spans the collector has received so far, each export checked against the OTLP JSON mapping's shape. */
    List<JsonNode> exportedSpans() throws Exception {
        List<JsonNode> spans = new ArrayList<>();
        for (LoggedRequest r : wire.findAll(postRequestedFor(urlEqualTo("/otel/v1/traces")))) {
            assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
            assertThat(r.getHeader("x-collector-key")).isEqualTo("collector-secret");
            JsonNode body = Http.JSON.readTree(r.getBodyAsString());
            assertThat(body.fieldNames()).toIterable().containsExactly("resourceSpans");
            JsonNode resource = body.at("/resourceSpans/0");
            assertThat(attributes(resource.at("/resource"))).containsEntry("service.name", "gw-test");
            JsonNode scope = resource.at("/scopeSpans/0");
            assertThat(scope.at("/scope/name").asText()).isEqualTo("dev.tollgate");
            for (JsonNode span : scope.get("spans")) {
                assertThat(span.get("traceId").asText()).matches("[0-9a-f]{32}");
                assertThat(span.get("spanId").asText()).matches("[0-9a-f]{16}");
                assertThat(span.get("kind").isInt()).isTrue();
                assertThat(span.get("startTimeUnixNano").isTextual()).isTrue();
                long startNanos = Long.parseLong(span.get("startTimeUnixNano").asText());
                long endNanos = Long.parseLong(span.get("endTimeUnixNano").asText());
                assertThat(endNanos).isGreaterThanOrEqualTo(startNanos);
                assertThat(Math.abs(startNanos / 1_000_000 - System.currentTimeMillis())).isLessThan(60_000);
                spans.add(span);
            }
        }
        return spans;
    }

    /** Waits until the collector holds {@code n} spans; fails if it gets more. */
    List<JsonNode> awaitSpans(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<JsonNode> spans = exportedSpans();
        while (spans.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
            spans = exportedSpans();
        }
        assertThat(spans).hasSize(n);
        return spans;
    }

    /** A span's or resource's attributes as key to value text (an int as its digits, a list joined by commas). */
    static Map<String, String> attributes(JsonNode holder) {
        var out = new HashMap<String, String>();
        for (JsonNode a : holder.get("attributes")) {
            JsonNode v = a.get("value");
            assertThat(v.size()).as("one value field").isEqualTo(1);
            String type = v.fieldNames().next();
            String text = switch (type) {
                case "stringValue" -> v.get(type).asText();
                case "intValue" -> {
                    assertThat(v.get(type).isTextual()).as("int64 as a JSON string").isTrue();
                    yield v.get(type).asText();
                }
                case "doubleValue", "boolValue" -> v.get(type).asText();
                case "arrayValue" -> {
                    var items = new ArrayList<String>();
                    v.at("/arrayValue/values").forEach(i -> items.add(i.get("stringValue").asText()));
                    yield String.join(",", items);
                }
                default -> throw new AssertionError("unexpected value type " + type);
            };
            out.put(a.get("key").asText(), text);
        }
        return out;
    }

    static JsonNode ofKind(List<JsonNode> spans, int kind) {
        return spans.stream().filter(s -> s.get("kind").asInt() == kind).findFirst().orElseThrow();
    }

    @Test
    void aPromptRequestsSpanNamesThePromptVersionAndExperimentArm() throws Exception {
        wire.stubFor(post(urlEqualTo("/a/v1/chat/completions")).willReturn(okJson(ANSWER)));
        String prompts = """
                prompts:
                  greet:
                    labels: { production: 1 }
                    versions:
                      1: { system: "Greet {{name}}." }
                experiments:
                  wording:
                    prompt: greet
                    arms:
                      only: { model: main, weight: 1 }
                """;
        try (var g = RunningGateway.start(config(tracingOn(), prompts), Map.of("COLLECTOR_KEY", "collector-secret"))) {
            HttpResponse<String> r = chat(g, "traceparent", TRACEPARENT, "x-tollgate-prompt", "greet",
                    "x-tollgate-prompt-variables", "{\"name\":\"Ada\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-tollgate-experiment")).contains("wording/only");
            Map<String, String> s = attributes(ofKind(awaitSpans(2), 2));
            assertThat(s).containsEntry("tollgate.prompt", "greet")
                    .containsEntry("tollgate.prompt_version", "1")
                    .containsEntry("tollgate.prompt_label", "production")
                    .containsEntry("tollgate.experiment", "wording/only");
        }
    }

    @Test
    void aTracedRequestJoinsTheClientsTraceAndHandsItsAttemptToTheProvider() throws Exception {
        wire.stubFor(post(urlEqualTo("/a/v1/chat/completions")).willReturn(okJson(ANSWER)));
        try (var g = RunningGateway.start(config(tracingOn(), ""), Map.of("COLLECTOR_KEY", "collector-secret"))) {
            HttpResponse<String> r = chat(g, "traceparent", TRACEPARENT, "tracestate", "congo=t61rcWkgMzE",
                    "x-custom-client-header", "nope");
            assertThat(r.statusCode()).isEqualTo(200);

            List<JsonNode> spans = awaitSpans(2);
            JsonNode server = ofKind(spans, 2);
            JsonNode client = ofKind(spans, 3);
            assertThat(server.get("traceId").asText()).isEqualTo(TRACE_ID);
            assertThat(server.get("parentSpanId").asText()).isEqualTo(PARENT_ID);
            assertThat(server.get("name").asText()).isEqualTo("chat main");
            assertThat(server.get("traceState").asText()).isEqualTo("congo=t61rcWkgMzE");
            assertThat(server.has("status")).isFalse();
            assertThat(client.get("traceId").asText()).isEqualTo(TRACE_ID);
            assertThat(client.get("parentSpanId").asText()).isEqualTo(server.get("spanId").asText());
            assertThat(client.get("name").asText()).isEqualTo("chat model-a");

            LoggedRequest upstream = wire.findAll(postRequestedFor(urlEqualTo("/a/v1/chat/completions"))).getFirst();
            assertThat(upstream.getHeader("traceparent"))
                    .isEqualTo("00-" + TRACE_ID + "-" + client.get("spanId").asText() + "-01");
            assertThat(upstream.getHeader("tracestate")).isEqualTo("congo=t61rcWkgMzE");
            assertThat(upstream.containsHeader("x-custom-client-header")).isFalse();

            Map<String, String> s = attributes(server);
            assertThat(s).containsEntry("gen_ai.operation.name", "chat")
                    .containsEntry("gen_ai.provider.name", "openai")
                    .containsEntry("gen_ai.request.model", "main")
                    .containsEntry("gen_ai.response.model", "model-a-2026")
                    .containsEntry("gen_ai.response.id", "chatcmpl-42")
                    .containsEntry("gen_ai.response.finish_reasons", "stop")
                    .containsEntry("gen_ai.request.max_tokens", "50")
                    .containsEntry("gen_ai.request.temperature", "0.5")
                    .containsEntry("gen_ai.usage.input_tokens", "7")
                    .containsEntry("gen_ai.usage.output_tokens", "3")
                    .containsEntry("http.response.status_code", "200")
                    .containsEntry("tollgate.deployment", "main/a/model-a")
                    .containsEntry("tollgate.attempts", "1")
                    .containsEntry("tollgate.fell_back", "false")
                    .doesNotContainKey("error.type");
            Map<String, String> c = attributes(client);
            assertThat(c).containsEntry("gen_ai.operation.name", "chat")
                    .containsEntry("gen_ai.request.model", "model-a")
                    .containsEntry("server.address", "127.0.0.1")
                    .containsEntry("server.port", Integer.toString(wire.port()))
                    .containsEntry("http.response.status_code", "200")
                    .containsEntry("tollgate.attempt", "1");
            String everything = spans.toString();
            assertThat(everything).doesNotContain("private prompt").doesNotContain("secret answer")
                    .doesNotContain("collector-secret");

            awaitLog(g, "\"trace_id\":\"" + TRACE_ID + "\"");
        }
    }

    @Test
    void aStreamedAnswerDescribesItselfInTheRequestsSpan() throws Exception {
        String chunk = "{\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"model-a-2026\",\"choices\":[%s]%s}";
        String sse = "data: " + chunk.formatted("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                + "\"finish_reason\":null}", "") + "\n\n"
                + "data: " + chunk.formatted("{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}", "") + "\n\n"
                + "data: " + chunk.formatted("", ",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,"
                + "\"total_tokens\":6}") + "\n\n"
                + "data: [DONE]\n\n";
        wire.stubFor(post(urlEqualTo("/a/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(sse)));
        try (var g = RunningGateway.start(config(tracingOn(), ""), Map.of("COLLECTOR_KEY", "collector-secret"))) {
            String body = "{\"model\":\"main\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            HttpResponse<String> r = Http.post(g.url("/v1/chat/completions"), body, "traceparent", TRACEPARENT);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("Hi");

            List<JsonNode> spans = awaitSpans(2);
            Map<String, String> s = attributes(ofKind(spans, 2));
            assertThat(s).containsEntry("gen_ai.response.id", "chatcmpl-s")
                    .containsEntry("gen_ai.response.model", "model-a-2026")
                    .containsEntry("gen_ai.response.finish_reasons", "length")
                    .containsEntry("gen_ai.usage.input_tokens", "5")
                    .containsEntry("gen_ai.usage.output_tokens", "1")
                    .containsEntry("tollgate.stream", "true");
            assertThat(ofKind(spans, 3).has("status")).isFalse();
        }
    }

    @Test
    void aRetriedProviderErrorGivesOneClientSpanPerAttemptAndAnErrorStatus() throws Exception {
        wire.stubFor(post(urlEqualTo("/a/v1/chat/completions")).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}")));
        try (var g = RunningGateway.start(config(tracingOn(),
                "resilience: { retries: { same_deployment: 1, backoff: 10ms } }\n"),
                Map.of("COLLECTOR_KEY", "collector-secret"))) {
            HttpResponse<String> r = chat(g);
            assertThat(r.statusCode()).isEqualTo(503);

            List<JsonNode> spans = awaitSpans(3);
            JsonNode server = ofKind(spans, 2);
            assertThat(server.has("parentSpanId")).as("a new trace: no traceparent came").isFalse();
            List<JsonNode> attempts = spans.stream().filter(sp -> sp.get("kind").asInt() == 3).toList();
            assertThat(attempts).hasSize(2);
            List<String> numbers = new ArrayList<>();
            for (JsonNode attempt : attempts) {
                assertThat(attempt.get("traceId").asText()).isEqualTo(server.get("traceId").asText());
                assertThat(attempt.get("parentSpanId").asText()).isEqualTo(server.get("spanId").asText());
                assertThat(attempt.at("/status/code").asInt()).isEqualTo(2);
                Map<String, String> a = attributes(attempt);
                assertThat(a).containsEntry("http.response.status_code", "503").containsKey("error.type");
                numbers.add(a.get("tollgate.attempt"));
            }
            assertThat(numbers).containsExactlyInAnyOrder("1", "2");
            // Each attempt told the provider its own span.
            List<String> sent = wire.findAll(postRequestedFor(urlEqualTo("/a/v1/chat/completions"))).stream()
                    .map(q -> q.getHeader("traceparent").split("-")[2]).toList();
            assertThat(sent).containsExactlyInAnyOrderElementsOf(
                    attempts.stream().map(x -> x.get("spanId").asText()).toList());

            assertThat(server.at("/status/code").asInt()).isEqualTo(2);
            Map<String, String> s = attributes(server);
            assertThat(s.get("error.type")).isEqualTo(attributes(attempts.getFirst()).get("error.type"));
            assertThat(s).containsEntry("http.response.status_code", "503").containsEntry("tollgate.attempts", "2");
        }
    }

    @Test
    void aRepeatedTraceparentOrAnInvalidTracestateIsNotPassedOn() throws Exception {
        wire.stubFor(post(urlEqualTo("/a/v1/chat/completions")).willReturn(okJson(ANSWER)));
        String other = "00-" + TRACE_ID.replace('4', '5') + "-" + PARENT_ID + "-01";
        try (var g = RunningGateway.start(config("", ""), Map.of())) {
            // Two traceparent headers are no valid context (the W3C test suite's "duplicated" case).
            assertThat(chat(g, "traceparent", TRACEPARENT, "traceparent", other).statusCode()).isEqualTo(200);
            // A tracestate with a key twice is dropped, the traceparent kept.
            assertThat(chat(g, "traceparent", TRACEPARENT, "tracestate", "a=1,a=2").statusCode()).isEqualTo(200);
            List<LoggedRequest> sent = wire.findAll(postRequestedFor(urlEqualTo("/a/v1/chat/completions")));
            assertThat(sent.get(0).containsHeader("traceparent")).isFalse();
            assertThat(sent.get(1).getHeader("traceparent")).isEqualTo(TRACEPARENT);
            assertThat(sent.get(1).containsHeader("tracestate")).isFalse();
            // A request the gateway refuses itself has no span, but its log line joins the client's trace.
            assertThat(Http.post(g.url("/v1/nowhere"), "{}", "traceparent", other).statusCode()).isEqualTo(404);
            awaitLog(g, "\"trace_id\":\"" + other.split("-")[1] + "\"");
        }
    }

    @Test
    void tracingOffForwardsTheClientsContextUnchangedAndExportsNothing() throws Exception {
        wire.stubFor(post(urlEqualTo("/a/v1/chat/completions")).willReturn(okJson(ANSWER)));
        try (var g = RunningGateway.start(config("", ""), Map.of())) {
            assertThat(chat(g, "traceparent", TRACEPARENT, "tracestate", "a=1").statusCode()).isEqualTo(200);
            assertThat(chat(g, "traceparent", TRACEPARENT.toUpperCase(), "tracestate", "a=1").statusCode())
                    .isEqualTo(200);
            assertThat(chat(g).statusCode()).isEqualTo(200);
            List<LoggedRequest> sent = wire.findAll(postRequestedFor(urlEqualTo("/a/v1/chat/completions")));
            assertThat(sent.get(0).getHeader("traceparent")).isEqualTo(TRACEPARENT);
            assertThat(sent.get(0).getHeader("tracestate")).isEqualTo("a=1");
            // A malformed one (upper-case hex) is treated as absent, with its tracestate; none is never invented.
            for (LoggedRequest q : sent.subList(1, 3)) {
                assertThat(q.containsHeader("traceparent")).isFalse();
                assertThat(q.containsHeader("tracestate")).isFalse();
            }
            awaitLog(g, "\"trace_id\":\"" + TRACE_ID + "\"");
            Thread.sleep(1500); // longer than the export interval
            assertThat(wire.findAll(postRequestedFor(urlEqualTo("/otel/v1/traces")))).isEmpty();
            assertThat(g.spanExports().exported() + g.spanExports().failed() + g.spanExports().dropped()).isZero();
        }
    }

    @Test
    void aReloadTurnsTracingOnWithoutARestart() throws Exception {
        wire.stubFor(post(urlEqualTo("/a/v1/chat/completions")).willReturn(okJson(ANSWER)));
        try (var g = RunningGateway.start(config("", ""), Map.of("COLLECTOR_KEY", "collector-secret"))) {
            assertThat(chat(g).statusCode()).isEqualTo(200);
            g.writeConfig(config(tracingOn(), ""));
            // The file watch may take a while to notice (polling file systems); then the export interval.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (exportedSpans().isEmpty() && System.nanoTime() < deadline) {
                assertThat(chat(g).statusCode()).isEqualTo(200);
                Thread.sleep(100);
            }
            assertThat(exportedSpans()).isNotEmpty(); // to the endpoint the reload named, with its headers
        }
    }

    @Test
    void aCollectorThatIsDownNeverAffectsRequestsAndIsCounted() throws Exception {
        wire.stubFor(post(urlEqualTo("/a/v1/chat/completions")).willReturn(okJson(ANSWER)));
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (var g = RunningGateway.start(config("tracing: { enabled: true, endpoint: \"http://127.0.0.1:"
                + closedPort + "\", max_queue: 1, batch_size: 1 }\n", ""), Map.of())) {
            for (int i = 0; i < 5; i++) {
                assertThat(chat(g).statusCode()).isEqualTo(200);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (g.spanExports().failed() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            var counts = g.spanExports();
            assertThat(counts.failed()).isPositive();
            assertThat(counts.dropped()).as("a queue of one behind a collector that is down").isPositive();
            assertThat(counts.exported()).isZero();
            awaitLog(g, "tracing: spans could not be exported");
            String scrape = Http.get(g.adminUrl("/metrics")).body();
            assertThat(scrape).contains("tollgate_trace_spans_total{result=\"exported\"} 0.0")
                    .containsPattern("tollgate_trace_spans_total\\{result=\"failed\"} [1-9]");
        }
    }

    static void awaitLog(RunningGateway g, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!g.logs().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(g.logs()).contains(text);
    }
}
