package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/feedback} end to end: rating, its checks, the metric, the ledger row, and a restart. */
class FeedbackTest {
    static final String APP = "tg-feedback-app";
    static final String OTHER = "tg-feedback-other";
    static final String ADMIN = "feedback-admin";

    @TempDir
    Path dir;

    String config() {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                admin: { keys: ["%s"] }
                providers:
                  mock: { type: mock, mock: { answer_words: 5 } }
                teams: { support: {} }
                keys:
                  - { name: app, hash: "%s", team: support }
                  - { name: other, hash: "%s", team: support }
                models:
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                tiers: { economy: [fast] }
                """.formatted(dir.resolve("ledger.db"), KeyHash.of(ADMIN), KeyHash.of(APP), KeyHash.of(OTHER));
    }

    static String chat(RunningGateway g, String key, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "authorization";
        all[1] = "Bearer " + key;
        System.arraycopy(headers, 0, all, 2, headers.length);
        HttpResponse<String> r = Http.post(g.url("/v1/chat/completions"), Http.chat("fast", false), all);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("x-request-id").orElseThrow();
    }

    static HttpResponse<String> rate(RunningGateway g, String key, String body) throws Exception {
        return Http.post(g.url("/v1/feedback"), body, "authorization", "Bearer " + key);
    }

    static JsonNode admin(RunningGateway g, String path) throws Exception {
        var request = HttpRequest.newBuilder(g.adminUrl(path)).header("authorization", "Bearer " + ADMIN).build();
        return Http.json(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void aKeyRatesItsOwnAnswerTheLatestRatingWinsAndTheScoreIsAMetric() throws Exception {
        try (var g = RunningGateway.start(config(), Map.of())) {
            String id = chat(g, APP);
            HttpResponse<String> first = rate(g, APP, "{\"request_id\":\"" + id + "\",\"score\":4,"
                    + "\"comment\":\"good, mail me at jane@example.com\"}");
            assertThat(first.statusCode()).isEqualTo(200);
            JsonNode body = Http.json(first);
            assertThat(body.at("/object").asText()).isEqualTo("feedback");
            assertThat(body.at("/request_id").asText()).isEqualTo(id);
            assertThat(body.at("/score").asInt()).isEqualTo(4);
            assertThat(body.at("/normalized_score").asDouble()).isEqualTo(0.75);
            assertThat(body.at("/model").asText()).isEqualTo("fast");
            assertThat(body.at("/stored").asBoolean()).isTrue();

            HttpResponse<String> second = rate(g, APP, "{\"request_id\":\"" + id + "\",\"score\":\"down\","
                    + "\"comment\":\"wrong after all; my card 4111 1111 1111 1111\"}");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(Http.json(second).at("/score").asText()).isEqualTo("down");

            JsonNode rows = admin(g, "/admin/feedback").at("/data");
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).at("/request_id").asText()).isEqualTo(id);
            assertThat(rows.get(0).at("/key").asText()).isEqualTo("app");
            assertThat(rows.get(0).at("/team").asText()).isEqualTo("support");
            assertThat(rows.get(0).at("/score").asText()).isEqualTo("down");
            assertThat(rows.get(0).at("/normalized_score").asDouble()).isZero();
            assertThat(rows.get(0).at("/comment").asText()).isEqualTo("wrong after all; my card [CREDIT_CARD]");

            String metrics = Http.get(g.adminUrl("/metrics")).body();
            String labels = "experiment=\"none\",gen_ai_request_model=\"fast\",prompt=\"none\","
                    + "prompt_version=\"none\",tier=\"none\",variant=\"none\"";
            assertThat(metrics)
                    .contains("tollgate_feedback_score_count{" + labels + "} 2")
                    .contains("tollgate_feedback_score_sum{" + labels + "} 0.75")
                    .contains("tollgate_feedback_score_bucket{" + labels + ",le=\"0.0\"} 1")
                    .contains("tollgate_requests_total{deployment=\"none\",error_type=\"none\","
                            + "gen_ai_provider_name=\"none\",gen_ai_request_model=\"none\",outcome=\"success\","
                            + "route=\"feedback\",status=\"200\"} 2.0");
        }
    }

    @Test
    void feedbackIsAttributedToTheTierTheRequestWentThrough() throws Exception {
        try (var g = RunningGateway.start(config(), Map.of())) {
            HttpResponse<String> r = Http.post(g.url("/v1/chat/completions"), Http.chat("tier:economy", false),
                    "authorization", "Bearer " + APP);
            assertThat(r.statusCode()).isEqualTo(200);
            String id = r.headers().firstValue("x-request-id").orElseThrow();
            assertThat(rate(g, APP, "{\"request_id\":\"" + id + "\",\"score\":\"up\"}").statusCode()).isEqualTo(200);
            assertThat(Http.get(g.adminUrl("/metrics")).body()).contains(
                    "tollgate_feedback_score_count{experiment=\"none\",gen_ai_request_model=\"fast\",prompt=\"none\","
                            + "prompt_version=\"none\",tier=\"economy\",variant=\"none\"} 1");
        }
    }

    @Test
    void anotherKeysRequestIsNotFoundJustLikeAnUnknownOne() throws Exception {
        try (var g = RunningGateway.start(config(), Map.of())) {
            String id = chat(g, APP);
            HttpResponse<String> foreign = rate(g, OTHER, "{\"request_id\":\"" + id + "\",\"score\":5}");
            HttpResponse<String> unknown = rate(g, OTHER, "{\"request_id\":\"req_nope\",\"score\":5}");
            assertThat(foreign.statusCode()).isEqualTo(404);
            assertThat(unknown.statusCode()).isEqualTo(404);
            JsonNode error = Http.json(foreign).at("/error");
            assertThat(error.at("/code").asText()).isEqualTo("request_not_found");
            assertThat(error.at("/param").asText()).isEqualTo("request_id");
            // The same words as for an id that does not exist: nothing tells the two apart.
            assertThat(error.at("/message").asText()).isEqualTo(Http.json(unknown).at("/error/message").asText()
                    .replace("req_nope", id));
        }
    }

    /** Each bad body, and the exact parameter and code it is refused with. */
    record Bad(String body, String param, String code, String message) {}

    @Test
    void everyBadBodyIsRefusedWithAPreciseOpenAiError() throws Exception {
        String long2001 = "x".repeat(2_001);
        List<Bad> cases = List.of(
                new Bad("not json", null, "invalid_json", "The request body is not valid JSON."),
                new Bad("[1]", null, "invalid_request_body", "The request body must be a JSON object."),
                new Bad("{\"score\":5}", "request_id", "missing_required_parameter",
                        "Missing required parameter: 'request_id'."),
                new Bad("{\"request_id\":7,\"score\":5}", "request_id", "invalid_type", null),
                new Bad("{\"request_id\":\"\",\"score\":5}", "request_id", "invalid_type", null),
                new Bad("{\"request_id\":\"r\"}", "score", "missing_required_parameter",
                        "Missing required parameter: 'score'."),
                new Bad("{\"request_id\":\"r\",\"score\":0}", "score", "invalid_value",
                        "'score' must be an integer from 1 to 5, or \"up\" or \"down\"; got 0."),
                new Bad("{\"request_id\":\"r\",\"score\":6}", "score", "invalid_value", null),
                new Bad("{\"request_id\":\"r\",\"score\":3.5}", "score", "invalid_value", null),
                new Bad("{\"request_id\":\"r\",\"score\":\"3\"}", "score", "invalid_value", null),
                new Bad("{\"request_id\":\"r\",\"score\":\"UP\"}", "score", "invalid_value", null),
                new Bad("{\"request_id\":\"r\",\"score\":true}", "score", "invalid_value", null),
                new Bad("{\"request_id\":\"r\",\"score\":5,\"comment\":3}", "comment", "invalid_type",
                        "'comment' must be a string."),
                new Bad("{\"request_id\":\"r\",\"score\":5,\"comment\":\"" + long2001 + "\"}", "comment",
                        "string_above_max_length", "'comment' is 2001 characters long; at most 2000 are allowed."),
                new Bad("{\"request_id\":\"r\",\"thumbs\":\"up\"}", "thumbs", "unknown_parameter", null));
        try (var g = RunningGateway.start(config(), Map.of())) {
            for (Bad bad : cases) {
                HttpResponse<String> r = rate(g, APP, bad.body());
                assertThat(r.statusCode()).as(bad.body()).isEqualTo(400);
                JsonNode error = Http.json(r).at("/error");
                assertThat(error.at("/type").asText()).isEqualTo("invalid_request_error");
                assertThat(error.at("/code").asText()).as(bad.body()).isEqualTo(bad.code());
                assertThat(error.at("/param").isNull() ? null : error.at("/param").asText()).as(bad.body())
                        .isEqualTo(bad.param());
                if (bad.message() != null) {
                    assertThat(error.at("/message").asText()).isEqualTo(bad.message());
                }
            }
            assertThat(Http.post(g.url("/v1/feedback"), "{}").statusCode()).isEqualTo(401);
            assertThat(Http.get(g.url("/v1/feedback")).statusCode()).isEqualTo(405);
        }
    }

    @Test
    void afterARestartFeedbackFindsTheRequestInTheLedgerByEitherId() throws Exception {
        String generated;
        try (var g = RunningGateway.start(config(), Map.of())) {
            generated = chat(g, APP);
            chat(g, APP, "x-request-id", "client-chosen-7");
        }
        try (var g = RunningGateway.start(config(), Map.of())) {
            assertThat(rate(g, APP, "{\"request_id\":\"" + generated + "\",\"score\":2}").statusCode())
                    .isEqualTo(200);
            HttpResponse<String> byClientId = rate(g, APP, "{\"request_id\":\"client-chosen-7\",\"score\":\"up\"}");
            assertThat(byClientId.statusCode()).isEqualTo(200);
            assertThat(Http.json(byClientId).at("/model").asText()).isEqualTo("fast");
            assertThat(rate(g, OTHER, "{\"request_id\":\"client-chosen-7\",\"score\":1}").statusCode())
                    .isEqualTo(404);
            JsonNode rows = admin(g, "/admin/feedback?key=app").at("/data");
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).at("/request_id").asText()).isEqualTo("client-chosen-7");
            assertThat(rows.get(0).at("/spend_id").asText()).startsWith("req_").isNotEqualTo("client-chosen-7");
        }
    }

    @Test
    void feedbackFoundInTheLedgerIsAttributedToThePromptTheRequestRendered() throws Exception {
        String config = config() + """
                prompts:
                  greet:
                    labels: { production: 1 }
                    versions:
                      1: { system: "Be kind." }
                """;
        String id;
        try (var g = RunningGateway.start(config, Map.of())) {
            id = chat(g, APP, "x-tollgate-prompt", "greet");
        }
        try (var g = RunningGateway.start(config, Map.of())) { // not in the recent index: read from its spend row
            assertThat(rate(g, APP, "{\"request_id\":\"" + id + "\",\"score\":\"up\"}").statusCode()).isEqualTo(200);
            assertThat(Http.get(g.adminUrl("/metrics")).body()).contains(
                    "tollgate_feedback_score_count{experiment=\"none\",gen_ai_request_model=\"fast\",prompt=\"greet\","
                            + "prompt_version=\"1\",tier=\"none\",variant=\"none\"} 1");
        }
    }

    @Test
    void withoutALedgerFeedbackIsCountedButNotStored() throws Exception {
        String config = config().replace("storage: { ledger: \"sqlite:" + dir.resolve("ledger.db") + "\" }",
                "storage: { ledger: none }");
        try (var g = RunningGateway.start(config, Map.of())) {
            String id = chat(g, APP);
            HttpResponse<String> r = rate(g, APP, "{\"request_id\":\"" + id + "\",\"score\":3}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Http.json(r).at("/stored").asBoolean()).isFalse();
            assertThat(Http.get(g.adminUrl("/metrics")).body()).contains("tollgate_feedback_score_count{");
            var listing = HttpRequest.newBuilder(g.adminUrl("/admin/feedback"))
                    .header("authorization", "Bearer " + ADMIN).build();
            assertThat(HttpClient.newHttpClient().send(listing, HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(409);
        }
    }
}
