package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.server.testing.RunningGateway;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Virtual keys, rate limits and budgets through the real gateway, with the built-in mock as the provider. */
class KeysAndBudgetsTest {
    static final String BOT = "tg-bot-key-for-tests";
    static final String SCOPED = "tg-scoped-key-for-tests";
    static final String REVOKED = "tg-revoked-key-for-tests";
    static final String EXPIRED = "tg-expired-key-for-tests";
    static final String LIMITED = "tg-limited-key-for-tests";
    static final String BUDGETED = "tg-budgeted-key-for-tests";
    static final String REUSE = "tg-reuse-key-for-tests";
    static final String COUNTER = "tg-counter-key-for-tests";
    static final String ADMIN = "admin-secret-for-tests";

    @TempDir
    static Path dir;
    private static RunningGateway gateway;

    static String config(Path ledger) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                admin: { keys: ["%s"] }
                providers:
                  mock: { type: mock, mock: { chunks: 4, answer_words: 10 } }
                prices:
                  mock/mock-1: { input: 1000, output: 2000 }
                teams:
                  support: { limits: { rpm: 1000 }, budget: { usd: 1000, period: monthly } }
                keys:
                  - { name: bot, hash: "%s", team: support }
                  - { name: scoped, hash: "%s", models: [fast], endpoints: [chat] }
                  - { name: revoked, hash: "%s", disabled: true }
                  - { name: expired, hash: "%s", expires: 2020-01-01 }
                  - { name: limited, hash: "%s", limits: { rpm: 3 } }
                  - { name: budgeted, hash: "%s", budget: { usd: 0.5, period: daily } }
                  - { name: reuse, hash: "%s" }
                  - { name: counter, hash: "%s", limits: { rpm: 2 } }
                models:
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                  other: { deployments: [ { provider: mock, model: mock-1 } ] }
                  embed: { mode: embeddings, deployments: [ { provider: mock, model: mock-embed } ] }
                """.formatted(ledger, KeyHash.of(ADMIN), KeyHash.of(BOT), KeyHash.of(SCOPED), KeyHash.of(REVOKED),
                KeyHash.of(EXPIRED), KeyHash.of(LIMITED), KeyHash.of(BUDGETED), KeyHash.of(REUSE), KeyHash.of(COUNTER));
    }

    @BeforeAll
    static void start() throws Exception {
        gateway = RunningGateway.start(config(dir.resolve("ledger.db")), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static HttpResponse<String> chat(String key, String model, boolean stream) throws Exception {
        return Http.post(gateway.url("/v1/chat/completions"), Http.chat(model, stream), "authorization",
                "Bearer " + key);
    }

    @Test
    void aMissingUnknownRevokedOrExpiredKeyIsA401InTheClientsDialect() throws Exception {
        HttpResponse<String> missing = Http.post(gateway.url("/v1/chat/completions"), Http.chat("fast", false));
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(Http.json(missing).at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(Http.json(missing).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(Http.json(missing).at("/error/message").asText()).contains("didn't provide an API key");
        assertThat(chat("tg-nobody", "fast", false).statusCode()).isEqualTo(401);
        assertThat(Http.json(chat(REVOKED, "fast", false)).at("/error/message").asText()).contains("revoked");
        assertThat(Http.json(chat(EXPIRED, "fast", false)).at("/error/message").asText()).contains("expired");

        HttpResponse<String> anthropic = Http.post(gateway.url("/v1/messages"),
                "{\"model\":\"fast\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "anthropic-version", "2023-06-01", "x-api-key", "tg-nobody");
        assertThat(anthropic.statusCode()).isEqualTo(401);
        assertThat(Http.json(anthropic).at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(gateway.logs()).doesNotContain("tg-nobody");
    }

    @Test
    void aValidKeyIsServedByBearerOrXApiKey() throws Exception {
        assertThat(chat(BOT, "fast", false).statusCode()).isEqualTo(200);
        HttpResponse<String> anthropic = Http.post(gateway.url("/v1/messages"),
                "{\"model\":\"fast\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "anthropic-version", "2023-06-01", "x-api-key", BOT);
        assertThat(anthropic.statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyOutsideItsScopesIsA403() throws Exception {
        assertThat(chat(SCOPED, "fast", false).statusCode()).isEqualTo(200);
        HttpResponse<String> model = chat(SCOPED, "other", false);
        assertThat(model.statusCode()).isEqualTo(403);
        assertThat(Http.json(model).at("/error/code").asText()).isEqualTo("model_not_allowed");
        HttpResponse<String> endpoint = Http.post(gateway.url("/v1/embeddings"),
                "{\"model\":\"embed\",\"input\":\"x\"}", "authorization", "Bearer " + SCOPED);
        assertThat(endpoint.statusCode()).isEqualTo(403);
    }

    @Test
    void theRpmLimitAnswers429WithOpenAiHeadersAndShape() throws Exception {
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(chat(LIMITED, "fast", false));
        }
        assertThat(answers.subList(0, 3)).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        assertThat(answers.get(0).headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
        assertThat(answers.get(2).headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        HttpResponse<String> refused = answers.get(3);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        JsonNode error = Http.json(refused).at("/error");
        assertThat(error.at("/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.at("/type").asText()).isNotEmpty();
        assertThat(error.at("/message").asText()).contains("key 'limited'").contains("Limit 3");
    }

    @Test
    void concurrentRequestsNeverOverspendABudget() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(pool.submit(() -> Http.post(gateway.url("/v1/chat/completions"),
                    "{\"model\":\"fast\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}",
                    "authorization", "Bearer " + BUDGETED)));
        }
        Money charged = Money.ZERO;
        int ok = 0;
        int refused = 0;
        for (Future<HttpResponse<String>> call : calls) {
            HttpResponse<String> r = call.get();
            if (r.statusCode() == 200) {
                ok++;
                charged = charged.plus(Money.ofUsd(r.headers().firstValue("x-tollgate-cost-usd").orElseThrow()));
            } else {
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(Http.json(r).at("/error/code").asText()).isEqualTo("budget_exceeded");
                refused++;
            }
        }
        pool.shutdown();
        assertThat(ok).isPositive();
        assertThat(refused).isPositive();
        assertThat(charged).isLessThanOrEqualTo(Money.ofUsd("0.5"));
        JsonNode budgets = Http.json(admin("/admin/budgets"));
        JsonNode row = null;
        for (JsonNode b : budgets.at("/data")) {
            if (b.at("/scope").asText().equals("key:budgeted")) {
                row = b;
            }
        }
        assertThat(row).isNotNull();
        assertThat(new BigDecimal(row.at("/spent_usd").asText())).isEqualByComparingTo(charged.toUsd());
        assertThat(row.at("/reserved_usd").asText()).isEqualTo("0");
    }

    @Test
    void streamsAreChargedFromReportedUsageAndLandInTheLedger() throws Exception {
        HttpResponse<String> stream = chat(BOT, "fast", true);
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.body()).contains("[DONE]");
        String requestId = stream.headers().firstValue("x-request-id").orElseThrow();
        JsonNode report = null;
        for (int i = 0; i < 50 && report == null; i++) {
            JsonNode rows = Http.json(admin("/admin/spend?group_by=key&key=bot")).at("/data");
            if (rows.size() > 0 && rows.get(0).at("/requests").asLong() > 0) {
                report = rows.get(0);
            } else {
                Thread.sleep(100);
            }
        }
        assertThat(report).isNotNull();
        assertThat(new BigDecimal(report.at("/cost_usd").asText())).isPositive();
        assertThat(gateway.logs()).contains(requestId).contains("\"key\":\"bot\"");
    }

    @Test
    void aLargeRequestUnderABudgetIsMeasuredOffItsLoopAndChargedAsAnyOther() throws Exception {
        // 27 KB of prompt: past the size from which the gateway counts tokens on its measuring threads.
        String prompt = "lorem ipsum dolor sit amet ".repeat(1_000);
        String body = "{\"model\":\"fast\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]}";
        HttpResponse<String> r = Http.post(gateway.url("/v1/chat/completions"), body, "authorization", "Bearer " + BOT);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Money.ofUsd(r.headers().firstValue("x-tollgate-cost-usd").orElseThrow()))
                .isGreaterThan(Money.ZERO);
        String reserved = null;
        for (int i = 0; i < 50 && !"0".equals(reserved); i++) {
            for (JsonNode b : Http.json(admin("/admin/budgets")).at("/data")) {
                if (b.at("/scope").asText().equals("team:support")) {
                    reserved = b.at("/reserved_usd").asText();
                }
            }
            Thread.sleep("0".equals(reserved) ? 0 : 100);
        }
        assertThat(reserved).isEqualTo("0"); // the reservation made with the measured size was settled
    }

    @Test
    void theAdminApiCreatesAKeyThatWorksAtOnceAndRevokesIt() throws Exception {
        assertThat(Http.get(gateway.adminUrl("/admin/keys")).statusCode()).isEqualTo(401);
        HttpResponse<String> created = Http.post(gateway.adminUrl("/admin/keys"),
                "{\"name\":\"made-at-runtime\",\"team\":\"support\",\"limits\":{\"rpm\":100}}",
                "authorization", "Bearer " + ADMIN);
        assertThat(created.statusCode()).isEqualTo(201);
        String raw = Http.json(created).at("/key").asText();
        assertThat(raw).startsWith("tg-").hasSize(46);
        assertThat(chat(raw, "fast", false).statusCode()).isEqualTo(200);
        JsonNode shown = Http.json(admin("/admin/keys/made-at-runtime"));
        assertThat(shown.at("/usage/requests_last_minute").asLong()).isEqualTo(1);
        assertThat(shown.toString()).doesNotContain(raw);
        assertThat(Http.post(gateway.adminUrl("/admin/keys/made-at-runtime/revoke"), "", "authorization",
                "Bearer " + ADMIN).statusCode()).isEqualTo(200);
        assertThat(chat(raw, "fast", false).statusCode()).isEqualTo(401);
        HttpResponse<String> csv = admin("/admin/spend?group_by=team&format=csv");
        assertThat(csv.headers().firstValue("content-type").orElseThrow()).startsWith("text/csv");
        assertThat(csv.body()).startsWith("team,requests,");
        assertThat(Files.exists(dir.resolve("ledger.db"))).isTrue();
    }

    @Test
    void aClientReusingItsRequestIdGetsOneLedgerRowPerRequest() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = Http.post(gateway.url("/v1/chat/completions"), Http.chat("fast", false),
                    "authorization", "Bearer " + REUSE, "x-request-id", "same-id");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-request-id")).hasValue("same-id");
        }
        long requests = 0;
        for (int i = 0; i < 50 && requests < 3; i++) {
            JsonNode rows = Http.json(admin("/admin/spend?group_by=key&key=reuse")).at("/data");
            requests = rows.size() == 0 ? 0 : rows.get(0).at("/requests").asLong();
            Thread.sleep(requests < 3 ? 100 : 0);
        }
        assertThat(requests).isEqualTo(3);
    }

    @Test
    void tokenCountingTheGatewayAnswersItselfIsStillRateLimited() throws Exception {
        String body = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        int[] statuses = new int[3];
        for (int i = 0; i < 3; i++) {
            statuses[i] = Http.post(gateway.url("/v1/messages/count_tokens"), body, "anthropic-version",
                    "2023-06-01", "x-api-key", COUNTER).statusCode();
        }
        assertThat(statuses).containsExactly(200, 200, 429);
        HttpResponse<String> bad = Http.post(gateway.url("/v1/messages/count_tokens"), "{\"model\":\"fast\"}",
                "anthropic-version", "2023-06-01", "x-api-key", BOT);
        assertThat(bad.statusCode()).isEqualTo(400); // a body that does not decode is refused before admission
    }

    @Test
    void teamBudgetsAreSampledIntoMetrics() throws Exception {
        String text = "";
        for (int i = 0; i < 50 && !text.contains("tollgate_budget_limit_usd"); i++) {
            text = Http.get(gateway.adminUrl("/metrics")).body();
            Thread.sleep(text.contains("tollgate_budget_limit_usd") ? 0 : 100);
        }
        assertThat(text).contains("tollgate_budget_limit_usd{scope=\"team:support\"} 1000.0")
                .contains("tollgate_budget_spent_usd{scope=\"team:support\"}");
    }

    static HttpResponse<String> admin(String path) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(gateway.adminUrl(path))
                .header("authorization", "Bearer " + ADMIN).GET().build();
        return java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
