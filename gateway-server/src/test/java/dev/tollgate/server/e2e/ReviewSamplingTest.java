package dev.tollgate.server.e2e;

import static dev.tollgate.server.testing.ScriptedUpstream.chunk;
import static dev.tollgate.server.testing.ScriptedUpstream.lastChunk;
import static dev.tollgate.server.testing.ScriptedUpstream.streamHead;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import dev.tollgate.server.testing.ScriptedUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Review sampling end to end: what is kept, redacted and cut; the admin listing and export; hot reload. */
class ReviewSamplingTest {
    static final String APP = "tg-review-app";
    static final String ADMIN = "review-admin";
    private static final String DELTA = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}\n\n";
    private static final String END = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    /** A secret split across two stream chunks: only the assembled answer shows it whole. */
    private static final String PROMPT = "I am jane.doe@example.com and my key is sk-proj-ABCDEFGHIJKLMNOPQRSTuvwx. "
            + "Please help. " + "Lots of context. ".repeat(40);

    static String config(String upstream, String review) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                admin: { keys: ["%s"] }
                providers:
                  up: { type: openai, base_url: %s, timeouts: { first_byte: 5s, idle: 5s } }
                  mock: { type: mock, mock: { answer_words: 3 } }
                keys:
                  - { name: app, hash: "%s" }
                models:
                  m: { deployments: [ { provider: up } ] }
                  quiet: { deployments: [ { provider: mock, model: mock-1 } ], review: { sample_rate: 0 } }
                review: %s
                """.formatted(KeyHash.of(ADMIN), upstream, KeyHash.of(APP), review);
    }

    static HttpResponse<String> admin(RunningGateway g, String path) throws Exception {
        var request = HttpRequest.newBuilder(g.adminUrl(path)).header("authorization", "Bearer " + ADMIN).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The listing once it holds {@code count} samples (they are written off the request path). */
    static JsonNode awaitSamples(RunningGateway g, String query, int count) throws Exception {
        JsonNode data = null;
        for (int i = 0; i < 100; i++) {
            data = Http.json(admin(g, "/admin/reviews" + query)).at("/data");
            if (data.size() >= count) {
                return data;
            }
            Thread.sleep(50);
        }
        return data;
    }

    private static String body(String model, boolean stream, String text) throws Exception {
        var root = Http.JSON.createObjectNode().put("model", model).put("stream", stream);
        root.putArray("messages").addObject().put("role", "user").put("content", text);
        return Http.JSON.writeValueAsString(root);
    }

    @Test
    void aSampledStreamIsKeptRedactedAndCutWithItsFeedbackAndExportedAsJsonLines() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            streamHead(out);
            chunk(out, DELTA.formatted("Call +1 415 555 2671 or use card 4111 1111 "));
            chunk(out, DELTA.formatted("1111 1111. Token ghp_16C7e42F292c6912E7"));
            chunk(out, DELTA.formatted("710c838347Ae178B4a done."));
            chunk(out, END);
            lastChunk(out);
        }); var g = RunningGateway.start(config(upstream.baseUrl(), "{ sample_rate: 1, max_chars: 300 }"), Map.of())) {
            HttpResponse<String> r = Http.post(g.url("/v1/chat/completions"), body("m", true, PROMPT),
                    "authorization", "Bearer " + APP);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("4111 1111 "); // the client gets the answer as it is
            String id = r.headers().firstValue("x-request-id").orElseThrow();

            JsonNode sample = awaitSamples(g, "", 1).get(0);
            assertThat(sample.at("/request_id").asText()).isEqualTo(id);
            assertThat(sample.at("/key").asText()).isEqualTo("app");
            assertThat(sample.at("/model").asText()).isEqualTo("m");
            assertThat(sample.at("/deployment").asText()).isEqualTo("m/up/m");
            assertThat(sample.at("/stream").asBoolean()).isTrue();
            String prompt = sample.at("/prompt").asText();
            assertThat(prompt).startsWith("user: I am [EMAIL] and my key is [API_KEY]. Please help.")
                    .doesNotContain("jane").doesNotContain("sk-proj").hasSize(300);
            assertThat(sample.at("/prompt_truncated").asBoolean()).isTrue();
            assertThat(sample.at("/prompt_redactions").asInt()).isEqualTo(2);
            assertThat(sample.at("/answer").asText())
                    .isEqualTo("Call [PHONE] or use card [CREDIT_CARD]. Token [GITHUB_TOKEN] done.");
            assertThat(sample.at("/answer_truncated").asBoolean()).isFalse();
            assertThat(sample.at("/answer_redactions").asInt()).isEqualTo(3);
            assertThat(sample.at("/feedback").isNull()).isTrue();

            assertThat(Http.post(g.url("/v1/feedback"), "{\"request_id\":\"" + id + "\",\"score\":5}",
                    "authorization", "Bearer " + APP).statusCode()).isEqualTo(200);
            JsonNode rated = Http.json(admin(g, "/admin/reviews?model=m&key=app&limit=10")).at("/data/0");
            assertThat(rated.at("/feedback/score").asInt()).isEqualTo(5);
            assertThat(rated.at("/feedback/normalized_score").asDouble()).isEqualTo(1.0);

            HttpResponse<String> export = admin(g, "/admin/reviews/export");
            assertThat(export.statusCode()).isEqualTo(200);
            assertThat(export.headers().firstValue("content-type").orElseThrow()).startsWith("application/x-ndjson");
            String[] lines = export.body().split("\n");
            assertThat(lines).hasSize(1);
            assertThat(Http.JSON.readTree(lines[0]).at("/request_id").asText()).isEqualTo(id);

            assertThat(Http.json(admin(g, "/admin/reviews?model=other")).at("/data")).isEmpty();
            assertThat(admin(g, "/admin/reviews?limit=0").statusCode()).isEqualTo(400);
            assertThat(admin(g, "/admin/reviews?since=yesterday").statusCode()).isEqualTo(400);
            assertThat(admin(g, "/admin/reviews?page=2").statusCode()).isEqualTo(400);
            assertThat(Http.get(g.adminUrl("/metrics")).body())
                    .contains("tollgate_review_samples_total{result=\"written\"} 1.0");
        }
    }

    @Test
    void aModelWithRateZeroIsNeverSampledAndAReloadTurnsSamplingOff() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> { });
                var g = RunningGateway.start(config(upstream.baseUrl(), "{ sample_rate: 1 }"), Map.of())) {
            for (int i = 0; i < 5; i++) {
                assertThat(Http.post(g.url("/v1/chat/completions"), body("quiet", i % 2 == 0, "hi " + i),
                        "authorization", "Bearer " + APP).statusCode()).isEqualTo(200);
            }
            g.writeConfig(config(upstream.baseUrl(), "{ sample_rate: 0 }").replace(
                    "review: { sample_rate: 0 } }", "review: { sample_rate: 1 } }"));
            for (int i = 0; i < 100 && !g.logs().contains("\"result\":\"applied\""); i++) {
                Thread.sleep(50);
            }
            assertThat(Http.post(g.url("/v1/chat/completions"), body("quiet", false, "now sampled"),
                    "authorization", "Bearer " + APP).statusCode()).isEqualTo(200);
            JsonNode data = awaitSamples(g, "", 1);
            assertThat(data).hasSize(1);
            assertThat(data.get(0).at("/prompt").asText()).isEqualTo("user: now sampled\n");
            assertThat(data.get(0).at("/stream").asBoolean()).isFalse();
            assertThat(data.get(0).at("/answer").asText()).isNotEmpty();
        }
    }

    /**
     * A client that sends the same x-request-id every time (a load balancer that stamps one) gets its requests
     * sampled at the rate, not all or none of them: the draw is on the gateway's own id for each request.
     */
    @Test
    void aClientReusingOneRequestIdIsSampledAtTheRateNotAllOrNothing() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> { });
                var g = RunningGateway.start(config(upstream.baseUrl(), "{ sample_rate: 0.5 }")
                        .replace("review: { sample_rate: 0 } }", "review: { sample_rate: 0.5 } }"), Map.of())) {
            int requests = 40;
            for (int i = 0; i < requests; i++) {
                assertThat(Http.post(g.url("/v1/chat/completions"), body("quiet", false, "hi " + i),
                        "authorization", "Bearer " + APP, "x-request-id", "stamped-by-the-balancer").statusCode())
                        .isEqualTo(200);
            }
            // Half of 40 independent draws: all or none has a chance of 2^-39.
            JsonNode data = awaitSamples(g, "?limit=100", 1);
            Thread.sleep(300); // the writer's batches: let every sample that is coming arrive
            int sampled = Http.json(admin(g, "/admin/reviews?limit=100")).at("/data").size();
            assertThat(data).isNotEmpty();
            assertThat(sampled).isBetween(1, requests - 1);
        }
    }
}
