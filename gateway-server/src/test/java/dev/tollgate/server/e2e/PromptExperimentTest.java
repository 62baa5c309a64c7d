package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An experiment between two prompt versions on two model groups, end to end: each end user keeps one arm, each arm's
 * requests reach its own model group, the ledger compares the arms with their ratings, ending the experiment
 * promotes the winner by moving the label, and a config rollback brings the experiment back.
 */
class PromptExperimentTest {
    private static final String ADMIN = "admin-key-for-experiments";
    private static final String APP = "tg-experiment-app";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private String config() {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, watch_config: false }
                admin: { keys: ["%s"] }
                storage: { ledger: "sqlite:%s" }
                keys:
                  - { name: app, hash: "%s" }
                providers:
                  house: { type: mock, mock: { answer_words: 4 } }
                models:
                  small: { deployments: [ { provider: house, model: small-1 } ] }
                  large: { deployments: [ { provider: house, model: large-1 } ] }
                prompts:
                  support:
                    labels: {production: 1}
                    versions:
                      1: {model: small, system: "Answer for {{product}}."}
                      2: {model: small, system: "Answer briefly for {{product}}."}
                experiments:
                  brevity:
                    prompt: support
                    sticky: user
                    arms:
                      control: {version: 1, weight: 50}
                      brief-large: {version: 2, model: large, weight: 50}
                """.formatted(KeyHash.of(ADMIN), dir.resolve("ledger.db"), KeyHash.of(APP));
    }

    @Test
    void armsStickToUsersReachTheirModelsAreComparedAndTheWinnerIsPromoted() throws Exception {
        try (var g = RunningGateway.start(config(), Map.of())) {
            Map<String, String> armOfUser = new HashMap<>();
            Map<String, Integer> perArm = new HashMap<>();
            int users = 120;
            for (int u = 0; u < users; u++) {
                String user = "user-" + u;
                for (int again = 0; again < 2; again++) {
                    HttpResponse<String> r = ask(g, user);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    String arm = r.headers().firstValue("x-tollgate-experiment").orElseThrow();
                    String deployment = r.headers().firstValue("x-tollgate-deployment").orElseThrow();
                    String prompt = r.headers().firstValue("x-tollgate-prompt").orElseThrow();
                    if (arm.equals("brevity/brief-large")) {
                        assertThat(deployment).isEqualTo("large/house/large-1");
                        assertThat(prompt).isEqualTo("support@2");
                    } else {
                        assertThat(arm).isEqualTo("brevity/control");
                        assertThat(deployment).isEqualTo("small/house/small-1");
                        assertThat(prompt).isEqualTo("support@1");
                    }
                    assertThat(armOfUser.putIfAbsent(user, arm)).isIn(null, arm);
                    perArm.merge(arm, 1, Integer::sum);
                    // the larger model's brief answers are liked, the control's are not
                    String id = r.headers().firstValue("x-request-id").orElseThrow();
                    String score = arm.endsWith("brief-large") ? "up" : "down";
                    assertThat(Http.post(g.url("/v1/feedback"), "{\"request_id\":\"" + id + "\",\"score\":\"" + score
                            + "\"}", "authorization", "Bearer " + APP).statusCode()).isEqualTo(200);
                }
            }
            // Split by hash of the user: close to the weights, never all on one side.
            assertThat(perArm.get("brevity/control")).isBetween(80, 160);

            JsonNode report = waitForReport(g, 2 * users);
            JsonNode control = report.at("/arms/0");
            JsonNode large = report.at("/arms/1");
            assertThat(control.path("name").asText()).isEqualTo("control");
            assertThat(control.path("requests").asInt()).isEqualTo(perArm.get("brevity/control"));
            assertThat(large.path("requests").asInt()).isEqualTo(perArm.get("brevity/brief-large"));
            assertThat(control.path("feedback_score_mean").asDouble()).isZero();
            assertThat(large.path("feedback_score_mean").asDouble()).isEqualTo(1.0);
            JsonNode feedback = null;
            for (JsonNode test : large.path("vs_control")) {
                if (test.path("metric").asText().contains("feedback")) {
                    feedback = test;
                }
            }
            assertThat(feedback).as(report.toString()).isNotNull();
            assertThat(feedback.path("significant").asBoolean()).as(feedback.toString()).isTrue();

            HttpResponse<String> ended = admin(g, "POST", "/admin/experiments/brevity/end",
                    "{\"winner\":\"brief-large\"}");
            assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
            assertThat(Http.json(ended).path("note").asText()).contains("large");
            String file = Files.readString(g.configFile());
            assertThat(file).contains("labels: {production: 2}").doesNotContain("brevity");

            HttpResponse<String> after = ask(g, "user-1");
            assertThat(after.headers().firstValue("x-tollgate-prompt")).hasValue("support@2");
            assertThat(after.headers().firstValue("x-tollgate-experiment")).isEmpty();
            assertThat(after.headers().firstValue("x-tollgate-deployment")).hasValue("small/house/small-1");

            int before = Http.json(admin(g, "GET", "/admin/config", null)).path("version").asInt() - 1;
            HttpResponse<String> rolledBack = admin(g, "POST", "/admin/config/versions/" + before + "/rollback", null);
            assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
            assertThat(Files.readString(g.configFile())).contains("brevity").contains("labels: {production: 1}");
            assertThat(ask(g, "user-1").headers().firstValue("x-tollgate-experiment"))
                    .hasValue(armOfUser.get("user-1"));
        }
    }

    private static HttpResponse<String> ask(RunningGateway g, String user) throws Exception {
        return Http.post(g.url("/v1/chat/completions"), "{\"model\":\"\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Where is my parcel?\"}],\"prompt\":{\"id\":\"support\","
                        + "\"variables\":{\"product\":\"Acme\"}}}",
                "authorization", "Bearer " + APP, "x-tollgate-user", user);
    }

    private static JsonNode waitForReport(RunningGateway g, int requests) throws Exception {
        JsonNode report = null;
        for (int i = 0; i < 200; i++) { // spend rows and ratings are written off the request path
            report = Http.json(admin(g, "GET", "/admin/experiments/brevity", null));
            int counted = 0;
            int rated = 0;
            for (JsonNode arm : report.path("arms")) {
                counted += arm.path("requests").asInt();
                rated += arm.path("feedback_count").asInt();
            }
            if (counted == requests && rated == requests) {
                return report;
            }
            Thread.sleep(50);
        }
        return report;
    }

    private static HttpResponse<String> admin(RunningGateway g, String method, String path, String body)
            throws Exception {
        var request = HttpRequest.newBuilder(g.adminUrl(path)).header("authorization", "Bearer " + ADMIN)
                .header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
