package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens to reservations when requests end in unusual ways, and to budgets across a restart. */
class SpendLifecycleTest {
    static final String KEY = "tg-lifecycle-key";
    static final String ADMIN = "lifecycle-admin";

    @TempDir
    Path dir;

    String config(String keyLimits, String mock) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                admin: { keys: ["%s"] }
                providers:
                  mock: { type: mock, mock: %s }
                prices:
                  mock-1: { input: 100, output: 200 }
                keys:
                  - { name: app, hash: "%s", %s }
                models:
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                """.formatted(dir.resolve("ledger.db"), KeyHash.of(ADMIN), mock, KeyHash.of(KEY), keyLimits);
    }

    static HttpResponse<String> chat(RunningGateway g, String body) throws Exception {
        return Http.post(g.url("/v1/chat/completions"), body, "authorization", "Bearer " + KEY);
    }

    static JsonNode admin(RunningGateway g, String path) throws Exception {
        var request = HttpRequest.newBuilder(g.adminUrl(path)).header("authorization", "Bearer " + ADMIN).build();
        return Http.json(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void aClientThatLeavesMidStreamFreesItsSlotAndIsChargedForWhatWasGenerated() throws Exception {
        try (var g = RunningGateway.start(config("limits: { concurrent: 1 }",
                "{ latency: 0ms, tokens_per_second: 20, chunks: 40, answer_words: 40 }"), Map.of())) {
            String request = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "authorization: Bearer " + KEY + "\r\ncontent-length: %d\r\n\r\n%s";
            String body = "{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            try (var socket = new Socket(InetAddress.getLoopbackAddress(), g.url("/").getPort())) {
                socket.getOutputStream().write(request.formatted(body.length(), body)
                        .getBytes(StandardCharsets.UTF_8));
                InputStream in = socket.getInputStream();
                String seen = "";
                byte[] buf = new byte[4096];
                while (!seen.contains("\"content\"")) { // the stream is under way: its one slot is taken
                    seen += new String(buf, 0, in.read(buf), StandardCharsets.UTF_8);
                }
                HttpResponse<String> second = chat(g, Http.chat("fast", false));
                assertThat(second.statusCode()).isEqualTo(429);
                assertThat(Http.json(second).at("/error/code").asText()).isEqualTo("concurrency_limit_exceeded");
            }
            // The socket is closed: the slot must come back without waiting for the lease to expire.
            HttpResponse<String> after = null;
            for (int i = 0; i < 50; i++) {
                after = chat(g, Http.chat("fast", false));
                if (after.statusCode() == 200) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(after.statusCode()).isEqualTo(200);
            JsonNode rows = null;
            for (int i = 0; i < 50; i++) {
                rows = admin(g, "/admin/spend?group_by=key").at("/data");
                if (rows.size() == 1 && rows.get(0).at("/requests").asLong() == 2) {
                    break;
                }
                Thread.sleep(100);
            }
            JsonNode app = rows.get(0);
            assertThat(app.at("/requests").asLong()).isEqualTo(2);
            assertThat(app.at("/failed").asLong()).isEqualTo(1);
            assertThat(app.at("/estimated").asLong()).isEqualTo(1);
            assertThat(app.at("/output_tokens").asLong()).isPositive();
            assertThat(g.logs()).contains("\"outcome\":\"client_cancelled\"");
        }
    }

    @Test
    void tokenLimitsAreReconciledWithWhatWasUsed() throws Exception {
        try (var g = RunningGateway.start(config("limits: { tpm: 100000 }", "{ answer_words: 5 }"), Map.of())) {
            String body = "{\"model\":\"fast\",\"max_tokens\":4000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            long first = remaining(chat(g, body));
            long second = remaining(chat(g, body));
            // Each reservation holds about 4,000 tokens; the first was settled at its real size (a few dozen)
            // before the second was admitted, so the two readings differ by that real size, not by 4,000.
            assertThat(first).isLessThan(100_000 - 4_000);
            assertThat(first - second).isBetween(1L, 200L);
        }
    }

    private static long remaining(HttpResponse<String> r) {
        assertThat(r.statusCode()).isEqualTo(200);
        return Long.parseLong(r.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
    }

    @Test
    void aRestartKeepsWhatWasSpentInThePeriod() throws Exception {
        String config = config("budget: { usd: 1, period: monthly }", "{ answer_words: 20 }");
        String spent;
        try (var g = RunningGateway.start(config, Map.of())) {
            for (int i = 0; i < 5; i++) {
                assertThat(chat(g, Http.chat("fast", false)).statusCode()).isEqualTo(200);
            }
            spent = admin(g, "/admin/budgets").at("/data/0/spent_usd").asText();
            assertThat(Double.parseDouble(spent)).isPositive();
        }
        try (var g = RunningGateway.start(config, Map.of())) {
            assertThat(admin(g, "/admin/budgets").at("/data/0/spent_usd").asText()).isEqualTo(spent);
            assertThat(g.logs()).contains("budgets rebuilt from the ledger").contains("\"scopes\":1");
        }
    }

    @Test
    void anUnpricedModelUnderABudgetIsRefusedBeforeItRunsAndFreeOutsideOne() throws Exception {
        String config = """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                providers:
                  # Nothing listens on port 9: a request that got as far as the provider would fail with 502.
                  local: { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: "${env:LOCAL_KEY}" }
                keys:
                  - { name: app, hash: "%s", budget: { usd: 1, period: daily } }
                  - { name: free, hash: "%s" }
                models:
                  house: { deployments: [ { provider: local, model: house-model-7b } ] }
                """.formatted(dir.resolve("ledger.db"), KeyHash.of(KEY), KeyHash.of("tg-free"));
        try (var g = RunningGateway.start(config, Map.of("LOCAL_KEY", "x"))) {
            HttpResponse<String> refused = chat(g, Http.chat("house", false));
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(Http.json(refused).at("/error/code").asText()).isEqualTo("model_unpriced");
            assertThat(Http.json(refused).at("/error/message").asText()).contains("house/local/house-model-7b");
            HttpResponse<String> unbudgeted = Http.post(g.url("/v1/chat/completions"), Http.chat("house", false),
                    "authorization", "Bearer tg-free");
            assertThat(unbudgeted.statusCode()).isEqualTo(502); // admitted, then the provider is unreachable
            assertThat(g.logs()).contains("deployments without a price").contains("house/local/house-model-7b");
        }
    }

    @Test
    void anAnswerWithoutUsageIsStillChargedFromAnEstimate() throws Exception {
        var upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json")
                .withBody("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"a long answer "
                        + "x".repeat(400) + "\"},\"finish_reason\":\"stop\"}]}")));
        String config = """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                admin: { keys: ["%s"] }
                providers:
                  up: { type: openai, base_url: "http://127.0.0.1:%d/v1" }
                keys:
                  - { name: app, hash: "%s" }
                models:
                  mini: { deployments: [ { provider: up, model: gpt-4o-mini } ] }
                """.formatted(dir.resolve("ledger.db"), KeyHash.of(ADMIN), upstream.port(), KeyHash.of(KEY));
        try (var g = RunningGateway.start(config, Map.of())) {
            HttpResponse<String> r = chat(g, Http.chat("mini", false));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Double.parseDouble(r.headers().firstValue("x-tollgate-cost-usd").orElseThrow())).isPositive();
            JsonNode row = null;
            for (int i = 0; i < 50 && row == null; i++) {
                JsonNode rows = admin(g, "/admin/spend?group_by=key").at("/data");
                row = rows.size() == 1 ? rows.get(0) : null;
                Thread.sleep(row == null ? 100 : 0);
            }
            assertThat(row.at("/estimated").asLong()).isEqualTo(1);
            assertThat(row.at("/output_tokens").asLong()).isGreaterThan(100);
        } finally {
            upstream.stop();
        }
    }

    @Test
    void keysAreRevokedNeverDeletedSoTheGatewayNeverOpensByAccident() throws Exception {
        String config = """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                admin: { keys: ["%s"] }
                providers:
                  mock: { type: mock }
                models:
                  fast: { deployments: [ { provider: mock } ] }
                """.formatted(dir.resolve("ledger.db"), KeyHash.of(ADMIN));
        try (var g = RunningGateway.start(config, Map.of())) {
            assertThat(Http.post(g.url("/v1/chat/completions"), Http.chat("fast", false)).statusCode())
                    .isEqualTo(200); // no key anywhere: open
            String raw = Http.json(adminSend(g, "POST", "/admin/keys", "{\"name\":\"only\"}")).at("/key").asText();
            assertThat(Http.post(g.url("/v1/chat/completions"), Http.chat("fast", false)).statusCode())
                    .isEqualTo(401); // one key exists: every request needs one
            assertThat(Http.post(g.url("/v1/chat/completions"), Http.chat("fast", false), "authorization",
                    "Bearer " + raw).statusCode()).isEqualTo(200);
            HttpResponse<String> delete = adminSend(g, "DELETE", "/admin/keys/only", null);
            assertThat(delete.statusCode()).isEqualTo(405); // keys are revoked, never deleted
            assertThat(delete.headers().firstValue("allow")).hasValue("GET");
            assertThat(adminSend(g, "GET", "/admin/keys/only/revoke", null).headers().firstValue("allow"))
                    .hasValue("POST");
            assertThat(adminSend(g, "GET", "/admin/spend/x", null).statusCode()).isEqualTo(404);
            HttpResponse<String> unknownParam = adminSend(g, "GET", "/admin/spend?user=u1", null);
            assertThat(unknownParam.statusCode()).isEqualTo(400);
            assertThat(Http.json(unknownParam).at("/error/message").asText()).contains("'user'");
            assertThat(adminSend(g, "POST", "/admin/keys/only/revoke", "").statusCode()).isEqualTo(200);
            assertThat(Http.post(g.url("/v1/chat/completions"), Http.chat("fast", false), "authorization",
                    "Bearer " + raw).statusCode()).isEqualTo(401); // revoked, and the gateway stays closed
            assertThat(Http.post(g.url("/v1/chat/completions"), Http.chat("fast", false)).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> bad = adminSend(g, "POST", "/admin/keys", "{\"name\":\"x\",\"limits\":{\"rpm\":-1}}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(Http.json(bad).at("/error/message").asText()).contains("limits.rpm");
            assertThat(adminSend(g, "GET", "/admin/spend?format=xml", null).statusCode()).isEqualTo(400);
            assertThat(adminSend(g, "GET", "/admin/spend?from=yesterday", null).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void crossingAnAlertThresholdPostsToTheWebhookOncePerPeriod() throws Exception {
        var hook = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        hook.start();
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
        String config = config("budget: { usd: 5, period: daily, alerts: [0.0001, 0.9] }", "{ answer_words: 20 }")
                .replace("\nkeys:", """

                        budgets:
                          alert_webhook: { url: "http://127.0.0.1:%d/hook", authorization: "${env:HOOK_TOKEN}" }
                        keys:""".formatted(hook.port()));
        try (var g = RunningGateway.start(config, Map.of("HOOK_TOKEN", "Bearer hook-secret"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(chat(g, Http.chat("fast", false)).statusCode()).isEqualTo(200);
            }
            for (int i = 0; i < 50 && hook.getAllServeEvents().isEmpty(); i++) {
                Thread.sleep(100);
            }
            Thread.sleep(300); // a second POST for the same threshold would have arrived by now
            var posts = hook.getAllServeEvents();
            assertThat(posts).hasSize(1); // 0.01% crossed once; 90% not reached
            JsonNode body = Http.JSON.readTree(posts.getFirst().getRequest().getBodyAsString());
            assertThat(body.at("/type").asText()).isEqualTo("budget_threshold");
            assertThat(body.at("/scope").asText()).isEqualTo("key:app");
            assertThat(body.at("/limit_usd").asText()).isEqualTo("5");
            assertThat(body.at("/threshold").asDouble()).isEqualTo(0.0001);
            assertThat(posts.getFirst().getRequest().getHeader("authorization")).isEqualTo("Bearer hook-secret");
            assertThat(g.logs()).contains("budget alert").doesNotContain("hook-secret");
        } finally {
            hook.stop();
        }
    }

    static HttpResponse<String> adminSend(RunningGateway g, String method, String path, String body)
            throws Exception {
        var request = HttpRequest.newBuilder(g.adminUrl(path)).header("authorization", "Bearer " + ADMIN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
