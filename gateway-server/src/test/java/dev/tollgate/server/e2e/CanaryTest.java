package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary session (reliability S6, S7): a provider key, virtual keys and an upstream credential that exist only
 * for this run go through success, stream, budget exceeded, rate limited, invalid key, and upstream errors that
 * quote them (401 echoing the key, 400 echoing it in its message, 500 naming a URL with credentials). Then every
 * sink is searched for them, whole and by every 8-character slice: the event and access logs, the audit file, the
 * metrics scrape, the admin outputs (config, keys, spend), every response (body and headers), the ledger file and
 * the trace spans exported over OTLP (error statuses included).
 */
class CanaryTest {
    private static final String PROVIDER_KEY = "sk-canary-" + noise(24);
    private static final String APP_KEY = "tg-canary-app-" + noise(20);
    private static final String BUDGET_KEY = "tg-canary-budget-" + noise(20);
    private static final String LIMITED_KEY = "tg-canary-limited-" + noise(20);
    private static final String INVALID_KEY = "tg-canary-invalid-" + noise(20);
    private static final String URL_PASSWORD = "pw" + noise(20);
    private static final String ADMIN = "admin-" + noise(20);
    private static final List<String> CANARIES = List.of(PROVIDER_KEY, APP_KEY, BUDGET_KEY, LIMITED_KEY, INVALID_KEY,
            URL_PASSWORD);
    private static final int SLICE = 8;

    @TempDir
    static Path dir;
    private static WireMockServer upstream;
    private static RunningGateway gateway;
    private static final List<HttpResponse<String>> responses = new ArrayList<>();

    /** Letters and digits no fixed text of the gateway shares eight of in a row. */
    private static String noise(int length) {
        var random = new SecureRandom();
        var out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append("ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz23456789".charAt(random.nextInt(52)));
        }
        return out.toString();
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        String ok = """
                {"id":"c1","object":"chat.completion","created":1,"model":"gpt-ok","choices":[{"index":0,"message":\
                {"role":"assistant","content":"fine"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,\
                "completion_tokens":1,"total_tokens":4}}""";
        String stream = """
                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-ok","choices":[{"index":0,\
                "delta":{"role":"assistant","content":"fi"}}]}

                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-ok","choices":[{"index":0,\
                "delta":{"content":"ne"},"finish_reason":"stop"}]}

                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-ok","choices":[],"usage":\
                {"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}

                data: [DONE]

                """;
        upstream.stubFor(post(urlEqualTo("/otel/v1/traces")).willReturn(aResponse().withStatus(200).withBody("{}")));
        stub("\"gpt-ok\"", 200, "application/json", ok);
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(containing("\"gpt-ok\"")).withRequestBody(containing("\"stream\":true"))
                .willReturn(aResponse().withStatus(200).withHeader("content-type", "text/event-stream").withBody(stream)));
        stub("\"gpt-401\"", 401, "application/json", "{\"error\":{\"message\":\"Incorrect API key provided: "
                + PROVIDER_KEY + ".\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
        stub("\"gpt-400\"", 400, "application/json", "{\"error\":{\"message\":\"Invalid 'temperature' for the key "
                + PROVIDER_KEY + "\",\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":null}}");
        stub("\"gpt-500\"", 500, "application/json", "{\"error\":{\"message\":\"backend https://gw:" + URL_PASSWORD
                + "@store.internal/v1?token=" + URL_PASSWORD + " failed\",\"type\":\"server_error\"}}");

        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, audit_log: audit.jsonl, access_log: true }
                tracing: { enabled: true, endpoint: "http://127.0.0.1:%3$d/otel", batch_size: 1 }
                storage: { ledger: "sqlite:%1$s" }
                admin: { keys: ["%2$s"] }
                providers:
                  up: { type: openai, base_url: "http://127.0.0.1:%3$d/v1", api_key: "${env:PROVIDER_KEY}" }
                models:
                  ok: { deployments: [ { provider: up, model: gpt-ok } ] }
                  e401: { deployments: [ { provider: up, model: gpt-401 } ] }
                  e400: { deployments: [ { provider: up, model: gpt-400 } ] }
                  e500: { deployments: [ { provider: up, model: gpt-500 } ] }
                prices:
                  gpt-ok: { input: 1000, output: 2000 }
                keys:
                  - { name: app, hash: "%4$s" }
                  - { name: budgeted, hash: "%5$s", budget: { usd: 0.000001, period: daily } }
                  - { name: limited, hash: "%6$s", limits: { rpm: 1 } }
                resilience: { circuit_breaker: { window: 1000, minimum_calls: 1000 } }
                """.formatted(dir.resolve("ledger.db"), KeyHash.of(ADMIN), upstream.port(), KeyHash.of(APP_KEY),
                KeyHash.of(BUDGET_KEY), KeyHash.of(LIMITED_KEY)), Map.of("PROVIDER_KEY", PROVIDER_KEY));
    }

    private static void stub(String model, int status, String type, String body) {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(5).withRequestBody(containing(model))
                .willReturn(aResponse().withStatus(status).withHeader("content-type", type).withBody(body)));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.stop();
    }

    private static HttpResponse<String> chat(String key, String model, boolean stream) throws Exception {
        HttpResponse<String> r = Http.post(gateway.url("/v1/chat/completions"), Http.chat(model, stream),
                "authorization", "Bearer " + key, "x-tollgate-retries", "0");
        responses.add(r);
        return r;
    }

    private static HttpResponse<String> admin(String path) throws Exception {
        HttpResponse<String> r = Http.get(gateway.adminUrl(path), "authorization", "Bearer " + ADMIN);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        responses.add(r);
        return r;
    }

    /**
     * The bodies of every OTLP export, once the spans of the requests whose upstream quoted a canary are in (they
     * are exported behind the answers).
     */
    private static String exportedSpans(List<HttpResponse<String>> quoted) throws InterruptedException {
        List<String> ids = quoted.stream().map(r -> r.headers().firstValue("x-request-id").orElseThrow()).toList();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String spans = upstream.getAllServeEvents().stream()
                    .filter(e -> e.getRequest().getUrl().equals("/otel/v1/traces"))
                    .map(e -> e.getRequest().getBodyAsString()).reduce("", (a, b) -> a + "\n" + b);
            if (ids.stream().allMatch(spans::contains) || System.nanoTime() > deadline) {
                assertThat(spans).as("the spans of the upstream calls that quoted a canary").contains(ids);
                return spans;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void noSinkEverShowsACanary() throws Exception {
        assertThat(chat(APP_KEY, "ok", false).statusCode()).isEqualTo(200);
        assertThat(chat(APP_KEY, "ok", true).body()).contains("[DONE]");
        assertThat(Http.json(chat(BUDGET_KEY, "ok", false)).at("/error/code").asText()).isEqualTo("budget_exceeded");
        assertThat(chat(LIMITED_KEY, "ok", false).statusCode()).isEqualTo(200);
        assertThat(Http.json(chat(LIMITED_KEY, "ok", false)).at("/error/code").asText())
                .isEqualTo("rate_limit_exceeded");
        assertThat(chat(INVALID_KEY, "ok", false).statusCode()).isEqualTo(401);
        HttpResponse<String> refused = chat(APP_KEY, "e401", false);
        assertThat(refused.statusCode()).isEqualTo(502);
        HttpResponse<String> echoed = chat(APP_KEY, "e400", false);
        assertThat(echoed.statusCode()).isEqualTo(400);
        assertThat(Http.json(echoed).at("/error/message").asText()).contains("[API_KEY]");
        HttpResponse<String> url = chat(APP_KEY, "e500", false);
        assertThat(url.statusCode()).isEqualTo(500);
        assertThat(Http.json(url).at("/error/message").asText()).contains("https://[URL_CREDENTIAL]@store.internal");
        assertThat(upstream.getAllServeEvents()).filteredOn(e -> e.getRequest().getUrl().startsWith("/v1/"))
                .isNotEmpty().allSatisfy(e ->
                        assertThat(e.getRequest().getHeader("authorization")).isEqualTo("Bearer " + PROVIDER_KEY));

        // Admin changes, so the audit file has lines to search.
        HttpResponse<String> created = Http.post(gateway.adminUrl("/admin/keys"), "{\"name\":\"made\"}",
                "authorization", "Bearer " + ADMIN);
        responses.add(created);
        assertThat(created.statusCode()).isEqualTo(201);
        HttpResponse<String> reload = Http.post(gateway.adminUrl("/admin/config/reload"), "", "authorization",
                "Bearer " + ADMIN);
        responses.add(reload);
        assertThat(reload.statusCode()).isEqualTo(200);
        admin("/admin/config");
        admin("/admin/keys");
        admin("/metrics");
        // The ledger is written behind the answers: wait for the served requests' rows.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!admin("/admin/spend?group_by=key&key=app").body().contains("\"app\"")
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Path audit = gateway.configFile().resolveSibling("audit.jsonl");
        assertThat(audit).exists();
        String logs = gateway.logs();
        assertThat(logs).contains("\"type\":\"access\"");

        var sinks = new StringBuilder();
        sinks.append(logs).append('\n').append(Files.readString(audit)).append('\n');
        for (HttpResponse<String> r : responses) {
            sinks.append(r.headers().map()).append('\n').append(r.body()).append('\n');
        }
        sinks.append(exportedSpans(List.of(refused, echoed, url))).append('\n');
        for (String file : List.of("ledger.db", "ledger.db-wal", "ledger.db-journal")) {
            Path ledger = dir.resolve(file);
            if (Files.exists(ledger)) {
                sinks.append(new String(Files.readAllBytes(ledger), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        assertThat(dir.resolve("ledger.db")).exists();
        String all = sinks.toString();
        for (String canary : CANARIES) {
            for (int at = 0; at + SLICE <= canary.length(); at++) {
                String slice = canary.substring(at, at + SLICE);
                assertThat(all).as("a slice of a canary: %s", slice).doesNotContain(slice);
            }
        }
    }
}
