package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import dev.tollgate.server.testing.ScriptedUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routing and resilience through the real gateway: fallbacks, retries, Retry-After, circuit breakers, tiers,
 * splits and shadow traffic, against WireMock upstreams. Provider {@code a} serves {@code /a/v1}, {@code b} serves
 * {@code /b/v1}, and so on, all on one WireMock server.
 */
class RoutingTest {
    static final String KEY = "tg-routing-key";
    static final String OTHER_KEY = "tg-routing-other";
    static final String ADMIN = "routing-admin";

    WireMockServer upstream;

    @BeforeEach
    void startUpstream() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
    }

    @AfterEach
    void stopUpstream() {
        upstream.stop();
    }

    /** A config with providers a..d on the WireMock server, a key, prices, and the given routing part. */
    String config(String routing) {
        String base = "http://127.0.0.1:" + upstream.port();
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                admin: { keys: ["%s"] }
                providers:
                  a: { type: openai, base_url: %s/a/v1, timeouts: { first_byte: 1s } }
                  b: { type: openai, base_url: %s/b/v1, timeouts: { first_byte: 1s } }
                  c: { type: openai, base_url: %s/c/v1, timeouts: { first_byte: 1s } }
                  d: { type: openai, base_url: %s/d/v1, timeouts: { first_byte: 1s } }
                prices:
                  model-a: { input: 1000, output: 1000 }
                  model-b: { input: 1, output: 1 }
                  model-c: { input: 2, output: 2 }
                  model-d: { input: 3, output: 3 }
                keys:
                  - { name: app, hash: "%s", limits: { rpm: 100 }, budget: { usd: 100, period: monthly } }
                  - { name: other, hash: "%s" }
                """.formatted(KeyHash.of(ADMIN), base, base, base, base, KeyHash.of(KEY), KeyHash.of(OTHER_KEY))
                + routing;
    }

    /** Model {@code main} on provider a, falling back to {@code backup} on provider b. */
    static final String MAIN_WITH_BACKUP = """
            models:
              main: { deployments: [ { provider: a, model: model-a } ], fallbacks: [backup] }
              backup: { deployments: [ { provider: b, model: model-b } ] }
            """;

    /** Model {@code main} on a scripted upstream, falling back to {@code backup} on WireMock's provider b. */
    String scriptedWithBackup(ScriptedUpstream scripted, String more) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  s: { type: openai, base_url: %s }
                  b: { type: openai, base_url: http://127.0.0.1:%d/b/v1 }
                models:
                  main: { deployments: [ { provider: s, model: m } ], fallbacks: [backup] }
                  backup: { deployments: [ { provider: b, model: model-b } ] }
                """.formatted(scripted.baseUrl(), upstream.port()) + more;
    }

    static ResponseDefinitionBuilder ok(String model) {
        return aResponse().withStatus(200).withHeader("content-type", "application/json").withBody("""
                {"id":"c1","object":"chat.completion","created":1,"model":"%s","choices":[{"index":0,
                "message":{"role":"assistant","content":"from %s"},"finish_reason":"stop"}],
                "usage":{"prompt_tokens":1000,"completion_tokens":1000,"total_tokens":2000}}
                """.formatted(model, model));
    }

    static ResponseDefinitionBuilder error(int status, String code) {
        return aResponse().withStatus(status).withHeader("content-type", "application/json").withBody(
                "{\"error\":{\"message\":\"upstream says no\",\"type\":\"server_error\",\"code\":\"" + code + "\"}}");
    }

    void stub(String provider, ResponseDefinitionBuilder response) {
        upstream.stubFor(post(urlEqualTo("/" + provider + "/v1/chat/completions")).willReturn(response));
    }

    int calls(String provider) {
        return upstream.countRequestsMatching(postRequestedFor(urlEqualTo("/" + provider + "/v1/chat/completions"))
                .build()).getCount();
    }

    static HttpResponse<String> chat(RunningGateway g, String model, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "authorization";
        all[1] = "Bearer " + KEY;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return Http.post(g.url("/v1/chat/completions"), Http.chat(model, false), all);
    }

    static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    static JsonNode admin(RunningGateway g, String path) throws Exception {
        var request = HttpRequest.newBuilder(g.adminUrl(path)).header("authorization", "Bearer " + ADMIN).build();
        return Http.json(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()));
    }

    /** Ledger rows are written off the request path: waits until {@code count} requests are recorded. */
    static JsonNode spendByDeployment(RunningGateway g, int count) throws Exception {
        JsonNode rows = null;
        for (int i = 0; i < 100; i++) {
            rows = admin(g, "/admin/spend?group_by=deployment").at("/data");
            long seen = 0;
            for (JsonNode row : rows) {
                seen += row.at("/requests").asLong();
            }
            if (seen >= count) {
                return rows;
            }
            Thread.sleep(50);
        }
        return rows;
    }

    @Test
    void a500FallsBackAndOnlyTheAnsweringDeploymentIsCharged() throws Exception {
        stub("a", error(500, "server_error"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config(MAIN_WITH_BACKUP + """
                resilience: { retries: { same_deployment: 0 } }
                """), Map.of())) {
            HttpResponse<String> r = chat(g, "main");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Http.json(r).at("/choices/0/message/content").asText()).isEqualTo("from model-b");
            assertThat(header(r, "x-tollgate-attempts")).isEqualTo("2");
            assertThat(header(r, "x-tollgate-deployment")).isEqualTo("backup/b/model-b");
            assertThat(header(r, "x-tollgate-fallback")).isEqualTo("main/a/model-a,backup/b/model-b");
            // One client request counts once against the key's requests per minute, fallback or not.
            assertThat(header(r, "x-ratelimit-remaining-requests")).isEqualTo("99");
            assertThat(calls("a")).isEqualTo(1);
            assertThat(calls("b")).isEqualTo(1);

            JsonNode rows = spendByDeployment(g, 1);
            assertThat(rows).hasSize(1);
            JsonNode row = rows.get(0);
            assertThat(row.at("/deployment").asText()).isEqualTo("backup/b/model-b");
            // model-b's price, $1 per million tokens each way: 2,000 tokens cost $0.002, never model-a's $2.
            assertThat(new java.math.BigDecimal(row.at("/cost_usd").asText())).isEqualByComparingTo("0.002");
            assertThat(admin(g, "/admin/budgets").toString()).contains("0.002");
            for (int i = 0; i < 50 && !g.logs().contains("\"fell_back\":true"); i++) {
                Thread.sleep(20); // the access log is written off the event loop
            }
            assertThat(g.logs()).contains("\"attempts\":2").contains("\"fell_back\":true");
        }
    }

    @Test
    void concurrentFallbacksAreChargedAndCountedExactlyOnceEach() throws Exception {
        stub("a", error(500, "server_error"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config(MAIN_WITH_BACKUP + """
                resilience:
                  retries: { same_deployment: 0, budget_floor: 10000 }
                  circuit_breaker: { window: 1000, minimum_calls: 1000 }
                """).replace("limits: { rpm: 100 }", "limits: { rpm: 100000 }"), Map.of())) {
            int threads = 16;
            int each = 10;
            var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                var results = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        int ok = 0;
                        for (int i = 0; i < each; i++) {
                            HttpResponse<String> r = chat(g, "main");
                            ok += r.statusCode() == 200 && "2".equals(header(r, "x-tollgate-attempts")) ? 1 : 0;
                        }
                        return ok;
                    }));
                }
                int served = 0;
                for (var f : results) {
                    served += f.get(60, TimeUnit.SECONDS);
                }
                assertThat(served).isEqualTo(threads * each);
            } finally {
                pool.shutdownNow();
            }
            int requests = threads * each;
            // Each request counted once in the key's window, though each was admitted twice (once per deployment).
            HttpResponse<String> last = chat(g, "main");
            assertThat(header(last, "x-ratelimit-remaining-requests")).isEqualTo(Integer.toString(100_000 - requests - 1));
            // Charged once each, at the fallback's price: the budget and the ledger agree to the nano-dollar.
            JsonNode rows = spendByDeployment(g, requests + 1);
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).at("/requests").asLong()).isEqualTo(requests + 1);
            var total = new java.math.BigDecimal("0.002").multiply(java.math.BigDecimal.valueOf(requests + 1));
            assertThat(new java.math.BigDecimal(rows.get(0).at("/cost_usd").asText())).isEqualByComparingTo(total);
            assertThat(new java.math.BigDecimal(admin(g, "/admin/budgets").at("/data/0/spent_usd").asText()))
                    .isEqualByComparingTo(total);
            assertThat(calls("a")).isEqualTo(requests + 1);
        }
    }

    @Test
    void a429WithRetryAfterIsWaitedOutWhenNoOtherDeploymentExists() throws Exception {
        upstream.stubFor(post(urlEqualTo("/a/v1/chat/completions")).inScenario("limited").whenScenarioStateIs(STARTED)
                .willReturn(error(429, "rate_limit_exceeded").withHeader("retry-after", "2"))
                .willSetStateTo("open"));
        upstream.stubFor(post(urlEqualTo("/a/v1/chat/completions")).inScenario("limited").whenScenarioStateIs("open")
                .willReturn(ok("model-a")));
        try (var g = RunningGateway.start(config("""
                models:
                  main: { deployments: [ { provider: a, model: model-a } ] }
                """), Map.of())) {
            long start = System.nanoTime();
            HttpResponse<String> r = chat(g, "main");
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(waited).isGreaterThanOrEqualTo(2000);
            assertThat(calls("a")).isEqualTo(2); // waited, never hammered
        }
    }

    @Test
    void a429MovesToAnotherDeploymentAtOnceAndCoolsTheFirstDown() throws Exception {
        stub("a", error(429, "rate_limit_exceeded").withHeader("retry-after", "30"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config("""
                models:
                  main:
                    deployments:
                      - { provider: a, model: model-a }
                      - { provider: b, model: model-b, priority: 1 }
                """), Map.of())) {
            long start = System.nanoTime();
            HttpResponse<String> r = chat(g, "main");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1500);
            for (int i = 0; i < 5; i++) {
                assertThat(chat(g, "main").statusCode()).isEqualTo(200);
            }
            assertThat(calls("a")).isEqualTo(1); // cooled down until its reset: not asked again
            assertThat(calls("b")).isEqualTo(6);
        }
    }

    @Test
    void aTimeoutBeforeTheFirstByteIsRetried() throws Exception {
        upstream.stubFor(post(urlEqualTo("/a/v1/chat/completions")).inScenario("slow").whenScenarioStateIs(STARTED)
                .willReturn(ok("model-a").withFixedDelay(3000)).willSetStateTo("fast"));
        upstream.stubFor(post(urlEqualTo("/a/v1/chat/completions")).inScenario("slow").whenScenarioStateIs("fast")
                .willReturn(ok("model-a")));
        try (var g = RunningGateway.start(config("""
                models:
                  main: { deployments: [ { provider: a, model: model-a } ] }
                resilience: { retries: { same_deployment: 1, backoff: 10ms } }
                """), Map.of())) {
            HttpResponse<String> r = chat(g, "main");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(header(r, "x-tollgate-attempts")).isEqualTo("2");
            assertThat(calls("a")).isEqualTo(2);
        }
    }

    @Test
    void aFailureAfterTheFirstStreamedByteIsNeverRetried() throws Exception {
        var connections = new AtomicInteger();
        try (var scripted = new ScriptedUpstream((out, socket) -> {
            connections.incrementAndGet();
            ScriptedUpstream.streamHead(out);
            ScriptedUpstream.chunk(out, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                    + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},"
                    + "\"finish_reason\":null}]}\n\n");
            ScriptedUpstream.reset(socket);
        }); var g = RunningGateway.start(scriptedWithBackup(scripted, ""), Map.of())) {
            stub("b", ok("model-b"));
            String body = Http.chat("main", true);
            // Read raw: the connection is cut after the in-band error, which an HTTP client reports as a failure.
            String answer = Http.raw(g.url("/").getPort(), "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                    + "content-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body);
            assertThat(answer).startsWith("HTTP/1.1 200"); // committed: the head went out with the first content
            assertThat(answer).contains("Hel").contains("\"error\"").doesNotContain("[DONE]");
            assertThat(connections.get()).isEqualTo(1);
            assertThat(calls("b")).isZero();
        }
    }

    @Test
    void anErrorEventBeforeAnyContentFallsBack() throws Exception {
        try (var scripted = new ScriptedUpstream((out, socket) -> {
            ScriptedUpstream.streamHead(out);
            ScriptedUpstream.chunk(out, "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n");
            ScriptedUpstream.lastChunk(out);
        }); var g = RunningGateway.start(scriptedWithBackup(scripted,
                "resilience: { retries: { same_deployment: 0 } }\n"), Map.of())) {
            upstream.stubFor(post(urlEqualTo("/b/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                    .withHeader("content-type", "text/event-stream").withBody("""
                            data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"model-b","choices":[{"index":0,"delta":{"content":"fine"},"finish_reason":null}]}

                            data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"model-b","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}

                            data: [DONE]

                            """)));
            var r = Http.post(g.url("/v1/chat/completions"), Http.chat("main", true));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(header(r, "x-tollgate-deployment")).isEqualTo("backup/b/model-b");
            assertThat(r.body()).contains("fine").contains("[DONE]").doesNotContain("overloaded");
        }
    }

    @Test
    void theModelListNamesTiersAliasesAndSplitsTooWithinTheKeysScope() throws Exception {
        try (var g = RunningGateway.start(config("""
                models:
                  cheap: { deployments: [ { provider: a, model: model-a } ] }
                  strong: { deployments: [ { provider: b, model: model-b } ] }
                  embed: { mode: embeddings, deployments: [ { provider: c, model: model-c } ] }
                tiers:
                  economy: [cheap]
                  premium: [strong]
                auto_tier: { default: economy }
                splits:
                  trial: { model: assistant, variants: { cheap: 1, strong: 1 } }
                """).replace("- { name: other, hash:", "- { name: other, models: [\"tier:*\", cheap], hash:"),
                Map.of())) {
            assertThat(listed(g, KEY)).containsExactly("cheap", "strong", "embed", "tier:economy", "tier:premium",
                    "auto", "assistant");
            assertThat(listed(g, OTHER_KEY)).containsExactly("cheap", "tier:economy", "tier:premium");
            HttpResponse<String> anthropic = Http.get(g.url("/v1/models"), "x-api-key", KEY,
                    "anthropic-version", "2023-06-01");
            assertThat(Http.json(anthropic).path("data")).extracting(m -> m.path("id").asText())
                    .containsExactly("cheap", "strong", "tier:economy", "tier:premium", "auto", "assistant");
        }
    }

    private static List<String> listed(RunningGateway g, String key) throws Exception {
        List<String> ids = new ArrayList<>();
        Http.json(Http.get(g.url("/v1/models"), "authorization", "Bearer " + key)).path("data")
                .forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    @Test
    void aDeploymentWhoseOwnLimitCanNeverFitTheRequestIsSkipped() throws Exception {
        stub("a", ok("model-a"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config("""
                models:
                  main:
                    deployments:
                      - { provider: a, model: model-a, limits: { tpm: 100 } }
                      - { provider: b, model: model-b, priority: 1 }
                """), Map.of())) {
            HttpResponse<String> r = Http.post(g.url("/v1/chat/completions"), "{\"model\":\"main\",\"max_tokens\":"
                    + "1000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "authorization", "Bearer " + KEY);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(header(r, "x-tollgate-deployment")).isEqualTo("main/b/model-b");
            assertThat(header(r, "x-tollgate-attempts")).isEqualTo("1"); // skipped before sending: no attempt
            assertThat(calls("a")).isZero();
        }
    }

    @Test
    void aClientThatLeavesDuringABackoffFreesItsSlot() throws Exception {
        upstream.stubFor(post(urlEqualTo("/a/v1/chat/completions")).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(error(503, "overloaded")).willSetStateTo("fine"));
        upstream.stubFor(post(urlEqualTo("/a/v1/chat/completions")).inScenario("flaky").whenScenarioStateIs("fine")
                .willReturn(ok("model-a")));
        try (var g = RunningGateway.start(config("""
                models:
                  main: { deployments: [ { provider: a, model: model-a } ] }
                resilience: { retries: { same_deployment: 1, backoff: 3s, max_backoff: 3s } }
                """).replace("limits: { rpm: 100 }", "limits: { rpm: 100, concurrent: 1 }"), Map.of())) {
            String body = Http.chat("main", false);
            try (var socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), g.url("/").getPort())) {
                socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                        + "authorization: Bearer " + KEY + "\r\ncontent-type: application/json\r\ncontent-length: "
                        + body.length() + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                for (int i = 0; i < 100 && calls("a") < 1; i++) {
                    Thread.sleep(20);
                }
                assertThat(calls("a")).isEqualTo(1); // failed once; now waiting out its backoff
            }
            // Gone mid-backoff: its concurrency slot must come back now, not when the backoff would have ended.
            HttpResponse<String> next = null;
            for (int i = 0; i < 40; i++) {
                next = chat(g, "main");
                if (next.statusCode() != 429) {
                    break;
                }
                Thread.sleep(25);
            }
            assertThat(next.statusCode()).isEqualTo(200);
            Thread.sleep(3200);
            assertThat(calls("a")).isEqualTo(2); // the abandoned backoff never fired a retry
        }
    }

    @Test
    void aCircuitOpensAfterFailuresAndHalfOpensLater() throws Exception {
        stub("a", error(500, "server_error"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config(MAIN_WITH_BACKUP + """
                resilience:
                  retries: { same_deployment: 0 }
                  circuit_breaker: { window: 4, minimum_calls: 4, failure_rate: 50, open_for: 1s, half_open_calls: 1 }
                """), Map.of())) {
            for (int i = 0; i < 4; i++) {
                assertThat(chat(g, "main").statusCode()).isEqualTo(200);
            }
            assertThat(calls("a")).isEqualTo(4);
            HttpResponse<String> open = chat(g, "main");
            assertThat(open.statusCode()).isEqualTo(200);
            assertThat(header(open, "x-tollgate-attempts")).isEqualTo("1"); // straight to the fallback
            assertThat(calls("a")).isEqualTo(4);

            stub("a", ok("model-a"));
            Thread.sleep(1200);
            HttpResponse<String> probe = chat(g, "main");
            assertThat(header(probe, "x-tollgate-deployment")).isEqualTo("main/a/model-a");
            assertThat(calls("a")).isEqualTo(5);
            assertThat(header(chat(g, "main"), "x-tollgate-deployment")).isEqualTo("main/a/model-a");
        }
    }

    @Test
    void aContextLengthErrorGoesToTheLargerContextGroup() throws Exception {
        upstream.stubFor(post(urlEqualTo("/a/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("content-type", "application/json").withBody("{\"error\":{\"message\":\"This model's "
                        + "maximum context length is 8192 tokens.\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}")));
        stub("b", ok("model-b"));
        stub("c", ok("model-c"));
        try (var g = RunningGateway.start(config("""
                models:
                  small: { deployments: [ { provider: a, model: model-a } ], fallbacks: [other], context_fallbacks: [long] }
                  other: { deployments: [ { provider: c, model: model-c } ] }
                  long: { deployments: [ { provider: b, model: model-b } ] }
                """), Map.of())) {
            HttpResponse<String> r = chat(g, "small");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(header(r, "x-tollgate-deployment")).isEqualTo("long/b/model-b");
            assertThat(calls("c")).isZero();
        }
    }

    @Test
    void aClientErrorIsNeverRetriedNorFallenBackFrom() throws Exception {
        stub("a", error(400, "invalid_value"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config(MAIN_WITH_BACKUP), Map.of())) {
            HttpResponse<String> r = chat(g, "main");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(Http.json(r).at("/error/code").asText()).isEqualTo("invalid_value"); // relayed as it came
            assertThat(calls("a")).isEqualTo(1);
            assertThat(calls("b")).isZero();
        }
    }

    @Test
    void fallbacksCanBeTurnedOffPerRequest() throws Exception {
        stub("a", error(503, "overloaded"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config(MAIN_WITH_BACKUP), Map.of())) {
            HttpResponse<String> r = chat(g, "main", "x-tollgate-fallbacks", "off", "x-tollgate-retries", "0");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(calls("b")).isZero();
            HttpResponse<String> bad = chat(g, "main", "x-tollgate-retries", "lots");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(Http.json(bad).at("/error/param").asText()).isEqualTo("x-tollgate-retries");
        }
    }

    static final String TIERS = """
            models:
              cheap: { deployments: [ { provider: a, model: model-a } ] }
              strong: { deployments: [ { provider: b, model: model-b } ] }
            tiers:
              economy: [cheap]
              premium: [strong]
            auto_tier:
              default: economy
              rules:
                - { name: hard-words, when: { matches: "(?i)\\\\bprove\\\\b" }, tier: premium }
                - { name: long-prompts, when: { prompt_tokens_over: 50 }, tier: premium }
            """;

    @Test
    void tierRulesPickTheTierAndSayWhich() throws Exception {
        stub("a", ok("model-a"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config(TIERS), Map.of())) {
            HttpResponse<String> easy = chat(g, "auto");
            assertThat(easy.statusCode()).isEqualTo(200);
            assertThat(header(easy, "x-tollgate-tier")).isEqualTo("economy");
            assertThat(header(easy, "x-tollgate-tier-rule")).isNull();
            assertThat(header(easy, "x-tollgate-deployment")).isEqualTo("cheap/a/model-a");

            HttpResponse<String> hard = Http.post(g.url("/v1/chat/completions"), "{\"model\":\"auto\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"Prove that the square root of 2 is irrational.\"}]}",
                    "authorization", "Bearer " + KEY);
            assertThat(header(hard, "x-tollgate-tier")).isEqualTo("premium");
            assertThat(header(hard, "x-tollgate-tier-rule")).isEqualTo("hard-words");
            assertThat(header(hard, "x-tollgate-deployment")).isEqualTo("strong/b/model-b");

            String longText = "word ".repeat(400);
            HttpResponse<String> big = Http.post(g.url("/v1/chat/completions"), "{\"model\":\"auto\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"" + longText + "\"}]}", "authorization", "Bearer " + KEY);
            assertThat(header(big, "x-tollgate-tier-rule")).isEqualTo("long-prompts");

            assertThat(header(chat(g, "tier:premium"), "x-tollgate-deployment")).isEqualTo("strong/b/model-b");
            assertThat(header(chat(g, "cheap", "x-tollgate-tier", "premium"), "x-tollgate-tier"))
                    .isEqualTo("premium");
            assertThat(chat(g, "tier:gold").statusCode()).isEqualTo(404);
            for (int i = 0; i < 50 && !g.logs().contains("\"tier_rule\":\"hard-words\""); i++) {
                Thread.sleep(20);
            }
            assertThat(g.logs()).contains("\"tier\":\"premium\"").contains("\"tier_rule\":\"hard-words\"");
        }
    }

    @Test
    void aSplitKeepsEachKeyOnOneVariant() throws Exception {
        stub("a", ok("model-a"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config("""
                models:
                  main: { deployments: [ { provider: a, model: model-a } ] }
                  next: { deployments: [ { provider: b, model: model-b } ] }
                splits:
                  canary: { model: main, sticky: user, variants: { main: 50, next: 50 } }
                """), Map.of())) {
            Map<String, Set<String>> variants = new HashMap<>();
            for (int user = 0; user < 20; user++) {
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> r = chat(g, "main", "x-tollgate-user", "user-" + user);
                    assertThat(r.statusCode()).isEqualTo(200);
                    variants.computeIfAbsent("user-" + user, u -> new HashSet<>()).add(header(r, "x-tollgate-variant"));
                }
            }
            assertThat(variants.values()).allSatisfy(seen -> assertThat(seen).hasSize(1));
            Set<String> all = new HashSet<>();
            variants.values().forEach(all::addAll);
            assertThat(all).containsExactlyInAnyOrder("canary/main", "canary/next");
        }
    }

    @Test
    void shadowTrafficNeverChangesTheClientsAnswer() throws Exception {
        stub("a", ok("model-a"));
        stub("b", error(500, "server_error").withFixedDelay(300));
        try (var g = RunningGateway.start(config("""
                models:
                  main: { deployments: [ { provider: a, model: model-a } ] }
                  candidate: { deployments: [ { provider: b, model: model-b } ] }
                shadow:
                  - { model: main, to: candidate, percent: 100 }
                """), Map.of())) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = chat(g, "main");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(Http.json(r).at("/choices/0/message/content").asText()).isEqualTo("from model-a");
            }
            for (int i = 0; i < 100 && calls("b") < 3; i++) {
                Thread.sleep(20);
            }
            assertThat(calls("b")).isEqualTo(3);
            upstream.verify(3, postRequestedFor(urlEqualTo("/b/v1/chat/completions"))
                    .withRequestBody(matchingJsonPath("$.model", equalTo("model-b"))));
            for (int i = 0; i < 100 && !g.logs().contains("\"route\":\"shadow\""); i++) {
                Thread.sleep(20);
            }
            assertThat(g.logs()).contains("\"route\":\"shadow\"");
        }
    }

    @Test
    void weightedDeploymentsShareTheTraffic() throws Exception {
        stub("a", ok("model-a"));
        stub("b", ok("model-b"));
        try (var g = RunningGateway.start(config("""
                models:
                  main:
                    strategy: round_robin
                    deployments:
                      - { provider: a, model: model-a }
                      - { provider: b, model: model-b }
                """), Map.of())) {
            List<String> served = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                served.add(header(chat(g, "main"), "x-tollgate-deployment"));
            }
            assertThat(served).filteredOn(d -> d.equals("main/a/model-a")).hasSize(5);
            assertThat(calls("a")).isEqualTo(5);
            assertThat(calls("b")).isEqualTo(5);
        }
    }
}
