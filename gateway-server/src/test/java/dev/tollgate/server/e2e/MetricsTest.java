package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import dev.tollgate.server.testing.ScriptedUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus export on a real scrape of the admin port, after traffic through the gateway: the series of the
 * metric contract, OpenMetrics negotiation, and the cardinality guard (nothing a client sends becomes a label; keys
 * only by name, and only while {@code metrics.per_key_labels} is on).
 */
class MetricsTest {
    static final String BOT = "tg-metrics-bot-key";
    static final String BUDGETED = "tg-metrics-budgeted-key";
    static final String UNKNOWN_MODEL = "client-invented-model-x7";

    private static ScriptedUpstream named;
    private static ScriptedUpstream garbled;
    private static RunningGateway gateway;

    /** A stream whose chunks name {@code model} as the model that answers. */
    static ScriptedUpstream streaming(String model) throws Exception {
        return new ScriptedUpstream((out, socket) -> {
            ScriptedUpstream.streamHead(out);
            String head = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\""
                    + model + "\",\"choices\":";
            ScriptedUpstream.chunk(out, head + "[{\"index\":0,\"delta\":{\"content\":\"Hello there\"},"
                    + "\"finish_reason\":null}]}\n\n");
            ScriptedUpstream.chunk(out, head + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
            ScriptedUpstream.chunk(out, head + "[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,"
                    + "\"total_tokens\":8}}\n\n");
            ScriptedUpstream.chunk(out, "data: [DONE]\n\n");
            ScriptedUpstream.lastChunk(out);
        });
    }

    static String config(String more) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  mock: { type: mock, mock: { chunks: 4, answer_words: 10 } }
                  named: { type: openai, base_url: %s }
                  garbled: { type: openai, base_url: %s }
                prices:
                  mock/mock-1: { input: 1000, output: 2000 }
                  named-up: { input: 1, output: 1 }
                  garbled-up: { input: 1, output: 1 }
                teams:
                  support: { budget: { usd: 1000, period: monthly } }
                keys:
                  - { name: bot, hash: "%s", team: support }
                  - { name: budgeted, hash: "%s", budget: { usd: 5, period: daily } }
                models:
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                  named: { deployments: [ { provider: named, model: named-up } ] }
                  garbled: { deployments: [ { provider: garbled, model: garbled-up } ] }
                """.formatted(named.baseUrl(), garbled.baseUrl(), KeyHash.of(BOT), KeyHash.of(BUDGETED)) + more;
    }

    @BeforeAll
    static void start() throws Exception {
        named = streaming("named-up-2026-01-01");
        garbled = streaming("named up <script> " + "x".repeat(200));
        gateway = RunningGateway.start(config(""), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        named.close();
        garbled.close();
    }

    static HttpResponse<String> chat(RunningGateway g, String key, String model, boolean stream) throws Exception {
        return Http.post(g.url("/v1/chat/completions"), Http.chat(model, stream), "authorization", "Bearer " + key);
    }

    static HttpResponse<String> scrape(RunningGateway g, String accept) throws Exception {
        var request = HttpRequest.newBuilder(g.adminUrl("/metrics")).GET();
        if (accept != null) {
            request.header("accept", accept);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Scrapes until {@code ready} holds (exchanges record just after their last byte; budgets are sampled). */
    static String scrapeUntil(RunningGateway g, Predicate<String> ready) throws Exception {
        String text = "";
        for (int i = 0; i < 100; i++) {
            text = scrape(g, null).body();
            if (ready.test(text)) {
                return text;
            }
            Thread.sleep(50);
        }
        return text;
    }

    @Test
    void trafficShowsInTheSeriesOfTheContract() throws Exception {
        assertThat(chat(gateway, BOT, "fast", false).statusCode()).isEqualTo(200);
        assertThat(chat(gateway, BOT, "fast", true).statusCode()).isEqualTo(200);
        String text = scrapeUntil(gateway, t -> t.contains("tollgate_inflight_requests 0.0")
                && t.contains("gen_ai_client_operation_duration_seconds_count{error_type=\"none\","
                        + "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\"")
                && t.contains("scope=\"key:budgeted\""));
        assertThat(text)
                .contains("gen_ai_client_operation_duration_seconds_count{error_type=\"none\","
                        + "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\","
                        + "gen_ai_response_model=\"mock-1\",route=\"chat\",stream=\"true\"}")
                .contains("gen_ai_server_time_per_output_token_seconds_count{gen_ai_operation_name=\"chat\","
                        + "gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\"} 1")
                .contains("tollgate_overhead_seconds_count{route=\"chat\",stream=\"false\"}")
                .contains("tollgate_upstream_duration_seconds_count{deployment=\"fast/mock/mock-1\","
                        + "gen_ai_provider_name=\"mock\"} 2")
                .contains("tollgate_inflight_requests 0.0", "tollgate_inflight_streams 0.0")
                .contains("tollgate_tokens_total{gen_ai_request_model=\"fast\",team=\"support\",type=\"input\"}")
                .contains("tollgate_tokens_total{gen_ai_request_model=\"fast\",team=\"support\",type=\"output\"}")
                // the other tests of this class use the same key: its count is theirs too
                .contains("tollgate_key_requests_total{key=\"bot\",outcome=\"success\",team=\"support\"}")
                .contains("tollgate_key_cost_usd_total{key=\"bot\",team=\"support\"}")
                .contains("tollgate_budget_remaining_usd{scope=\"team:support\"}")
                .contains("tollgate_budget_remaining_usd{scope=\"key:budgeted\"} 5.0")
                .contains("tollgate_ledger_queue_rows ", "tollgate_event_loop_pending_tasks ",
                        "tollgate_netty_allocator_used_bytes{memory=\"heap\"}",
                        "tollgate_netty_allocator_used_bytes{memory=\"direct\"}")
                .contains("jvm_memory_used_bytes{area=\"heap\"", "jvm_threads_live_threads ", "process_cpu_usage ",
                        "process_uptime_seconds ")
                .doesNotContain(BOT).doesNotContain(KeyHash.of(BOT).hex().substring(0, 16));
    }

    @Test
    void theModelThatAnsweredIsALabelOnlyWhenItIsAPlainName() throws Exception {
        assertThat(chat(gateway, BOT, "named", true).body()).contains("Hello there");
        assertThat(chat(gateway, BOT, "garbled", true).body()).contains("Hello there");
        String text = scrapeUntil(gateway, t -> t.contains("gen_ai_request_model=\"garbled\""));
        assertThat(text)
                .contains("gen_ai_provider_name=\"named\",gen_ai_request_model=\"named\","
                        + "gen_ai_response_model=\"named-up-2026-01-01\"")
                .contains("gen_ai_provider_name=\"garbled\",gen_ai_request_model=\"garbled\","
                        + "gen_ai_response_model=\"garbled-up\"")
                .doesNotContain("<script>");
    }

    @Test
    void aModelTheClientMadeUpIsNeverALabel() throws Exception {
        HttpResponse<String> unknown = chat(gateway, BOT, UNKNOWN_MODEL, false);
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> malformed = Http.post(gateway.url("/v1/chat/completions"),
                "{\"model\":\"" + UNKNOWN_MODEL + "-2\",\"messages\":", "authorization", "Bearer " + BOT);
        assertThat(malformed.statusCode()).isEqualTo(400);
        String text = scrapeUntil(gateway, t -> t.contains("error_type=\"model_not_found\"")
                && t.contains("error_type=\"invalid_request\""));
        assertThat(text).doesNotContain(UNKNOWN_MODEL)
                .contains("tollgate_requests_total{deployment=\"none\",error_type=\"model_not_found\","
                        + "gen_ai_provider_name=\"none\",gen_ai_request_model=\"none\",outcome=\"caller_error\","
                        + "route=\"chat\",status=\"404\"}");
    }

    @Test
    void openMetricsIsServedWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> open = scrape(gateway, "application/openmetrics-text;version=1.0.0,"
                + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("content-type"))
                .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(open.body()).endsWith("# EOF\n").contains("# TYPE tollgate_inflight_requests gauge");
        HttpResponse<String> text = scrape(gateway, null);
        assertThat(text.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(text.body()).doesNotContain("# EOF").contains("# TYPE tollgate_inflight_requests gauge");
    }

    /**
     * A request whose first deployment answered 503 and whose fallback could not be reached: the fallback never got
     * the request, so its upstream histogram must not hold the first deployment's call.
     */
    @Test
    void upstreamTimeBelongsToTheAttemptThatWasSentNotToALaterOneThatWasNot() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (var overloaded = new ScriptedUpstream((out, socket) -> out.write(("HTTP/1.1 503 Service Unavailable\r\n"
                + "content-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
             var g = RunningGateway.start("""
                     server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                     providers:
                       busy: { type: openai, base_url: %s }
                       gone: { type: openai, base_url: "http://127.0.0.1:%d/v1" }
                     models:
                       first: { deployments: [ { provider: busy, model: busy-up } ], fallbacks: [ second ] }
                       second: { deployments: [ { provider: gone, model: gone-up } ] }
                     resilience: { retries: { same_deployment: 0 } }
                     """.formatted(overloaded.baseUrl(), closedPort), Map.of())) {
            assertThat(Http.post(g.url("/v1/chat/completions"), Http.chat("first", false)).statusCode())
                    .isGreaterThanOrEqualTo(500);
            String text = scrapeUntil(g, t -> t.contains("tollgate_inflight_requests 0.0")
                    && t.contains("gen_ai_request_model=\"second\""));
            assertThat(text).contains("tollgate_upstream_attempts_total{deployment=\"first/busy/busy-up\"")
                    .doesNotContain("tollgate_upstream_duration_seconds_count{deployment=\"second/gone/gone-up\","
                            + "gen_ai_provider_name=\"gone\"} 1")
                    .doesNotContain("tollgate_overhead_seconds_count{route=\"chat\",stream=\"false\"} 1");
        }
    }

    @Test
    void turningPerKeyLabelsOffOnReloadRemovesTheKeySeries() throws Exception {
        try (var g = RunningGateway.start(config(""), Map.of())) {
            assertThat(chat(g, BOT, "fast", false).statusCode()).isEqualTo(200);
            assertThat(scrapeUntil(g, t -> t.contains("scope=\"key:budgeted\"")
                    && t.contains("tollgate_key_requests_total{key=\"bot\"")))
                    .contains("tollgate_key_requests_total{key=\"bot\"", "tollgate_key_cost_usd_total{key=\"bot\"",
                            "tollgate_budget_spent_usd{scope=\"key:budgeted\"}");

            g.writeConfig(config("metrics: { per_key_labels: false }\n"));
            assertThat(scrapeUntil(g, t -> !t.contains("tollgate_key_"))).doesNotContain("tollgate_key_");
            assertThat(chat(g, BOT, "fast", false).statusCode()).isEqualTo(200);
            String off = scrapeUntil(g, t -> t.contains("tollgate_inflight_requests 0.0")
                    && t.contains("route=\"chat\",status=\"200\"} 2.0"));
            assertThat(off).doesNotContain("tollgate_key_").doesNotContain("key:budgeted")
                    .contains("route=\"chat\",status=\"200\"} 2.0")
                    .contains("tollgate_cost_usd_total{gen_ai_request_model=\"fast\",team=\"support\"}")
                    .contains("tollgate_budget_spent_usd{scope=\"team:support\"}");
        }
    }
}
