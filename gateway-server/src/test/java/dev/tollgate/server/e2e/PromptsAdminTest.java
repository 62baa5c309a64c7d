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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prompt registry's admin routes through a running gateway: reading, rendering and diffing versions, moving a
 * label (a config edit: a new version, in the file, undone by a rollback), versions that cannot change, and
 * experiments: their results from the ledger and ending one.
 */
class PromptsAdminTest {
    private static final String ADMIN = "admin-key-for-prompt-tests";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private RunningGateway gateway;

    private String config(String ledger) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, watch_config: false }
                admin: { keys: ["%s"] }
                storage: { ledger: "%s" }
                providers:
                  demo: { type: mock }
                models:
                  some-chat-group: { deployments: [ { provider: demo } ] }
                  other-group: { deployments: [ { provider: demo } ] }

                # Prompts the support tool uses.
                prompts:
                  support-answer:
                    description: Answers tickets
                    labels:
                      production: 1   # what serves
                      staging: 2
                    versions:
                      1:
                        model: some-chat-group
                        params: {temperature: 0.2}
                        system: "You answer for {{product}}."
                        messages:
                          - {role: user, content: "Ticket: {{ticket}}"}
                      2: {system: "You answer briefly for {{product}}.", note: shorter}
                  terse: {labels: {production: 1}, versions: {1: {system: "Be terse."}}}

                experiments:
                  tone:
                    prompt: support-answer
                    sticky: key
                    arms:
                      a: {version: 1, weight: 50}
                      b: {version: 2, model: other-group, weight: 50}
                      c: {model: other-group, weight: 0}

                # the end
                """.formatted(KeyHash.of(ADMIN), ledger);
    }

    private RunningGateway start(String ledger) throws Exception {
        gateway = RunningGateway.start(config(ledger), Map.of());
        return gateway;
    }

    private String sqlite() {
        return "sqlite:" + dir.resolve("ledger.db");
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void promptsAreListedShownRenderedAndDiffed() throws Exception {
        start(sqlite());
        JsonNode list = Http.json(admin("GET", "/admin/prompts", null));
        JsonNode prompt = list.at("/data/0");
        assertThat(prompt.path("id").asText()).isEqualTo("support-answer");
        assertThat(prompt.path("description").asText()).isEqualTo("Answers tickets");
        assertThat(prompt.at("/labels/production").asInt()).isEqualTo(1);
        assertThat(prompt.at("/versions/0/variables").toString()).isEqualTo("[\"product\",\"ticket\"]");
        assertThat(prompt.at("/versions/0/model").asText()).isEqualTo("some-chat-group");
        assertThat(prompt.at("/versions/1/note").asText()).isEqualTo("shorter");
        assertThat(prompt.at("/experiments/0/name").asText()).isEqualTo("tone");
        assertThat(prompt.at("/experiments/0/arms/1/model").asText()).isEqualTo("other-group");

        JsonNode version = Http.json(admin("GET", "/admin/prompts/support-answer/versions/1", null));
        assertThat(version.path("system").asText()).isEqualTo("You answer for {{product}}.");
        assertThat(version.at("/messages/0/content").asText()).isEqualTo("Ticket: {{ticket}}");
        assertThat(version.at("/params/temperature").asDouble()).isEqualTo(0.2);
        assertThat(admin("GET", "/admin/prompts/support-answer/versions/9", null).statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/admin/prompts/nope", null).statusCode()).isEqualTo(404);

        JsonNode rendered = Http.json(admin("POST", "/admin/prompts/support-answer/render",
                "{\"variables\": {\"product\": \"Acme\", \"ticket\": \"it broke\"}}"));
        assertThat(rendered.path("version").asInt()).isEqualTo(1);
        assertThat(rendered.path("label").asText()).isEqualTo("production");
        assertThat(rendered.path("system").asText()).isEqualTo("You answer for Acme.");
        assertThat(rendered.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(rendered.at("/messages/0/content").asText()).isEqualTo("Ticket: it broke");
        assertThat(rendered.path("model").asText()).isEqualTo("some-chat-group");
        JsonNode staging = Http.json(admin("POST", "/admin/prompts/support-answer/render",
                "{\"label\": \"staging\", \"variables\": {\"product\": \"Acme\"}}"));
        assertThat(staging.path("system").asText()).isEqualTo("You answer briefly for Acme.");
        HttpResponse<String> missing = admin("POST", "/admin/prompts/support-answer/render",
                "{\"version\": 1, \"variables\": {\"product\": \"Acme\"}}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(Http.json(missing).at("/error/message").asText())
                .isEqualTo("Prompt 'support-answer' version 1 needs variable ticket; the request gives no value for "
                        + "it.");
        assertThat(admin("POST", "/admin/prompts/support-answer/render", "[1]").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/admin/prompts/support-answer/render", "{\"label\": \"gone\"}").statusCode())
                .isEqualTo(404);

        HttpResponse<String> diff = admin("GET", "/admin/prompts/support-answer/diff?from=1&to=2", null);
        assertThat(diff.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/plain"));
        assertThat(diff.body()).contains("--- support-answer@1", "+++ support-answer@2", "-model: some-chat-group",
                "-  You answer for {{product}}.", "+  You answer briefly for {{product}}.", "+note: shorter");
        assertThat(admin("GET", "/admin/prompts/support-answer/diff?from=x", null).statusCode()).isEqualTo(400);
    }

    @Test
    void aLabelMoveIsAConfigVersionInTheFileAndARollbackUndoesIt() throws Exception {
        start(sqlite());
        String original = Files.readString(gateway.configFile());
        HttpResponse<String> moved = admin("PUT", "/admin/prompts/support-answer/labels/production",
                "{\"version\": 2}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        JsonNode answer = Http.json(moved);
        assertThat(answer.path("applied").asBoolean()).isTrue();
        assertThat(answer.path("version").asInt()).isEqualTo(2);
        assertThat(answer.path("file_updated").asBoolean()).isTrue();
        assertThat(answer.path("diff").asText()).contains("-      production: 1   # what serves",
                "+      production: 2   # what serves");
        String file = Files.readString(gateway.configFile());
        assertThat(file).isEqualTo(original.replace("production: 1   # what serves", "production: 2   # what serves"));
        assertThat(Http.json(admin("GET", "/admin/prompts/support-answer", null)).at("/labels/production").asInt())
                .isEqualTo(2);
        JsonNode version = Http.json(admin("GET", "/admin/config", null));
        assertThat(version.path("note").asText()).isEqualTo("label support-answer@production -> 2");
        assertThat(version.path("actor").asText()).startsWith("admin:");
        assertThat(gateway.logs()).contains("\"action\":\"prompt.label\"");

        // a new label under the existing block
        assertThat(admin("PUT", "/admin/prompts/support-answer/labels/canary", "{\"version\": 1}").statusCode())
                .isEqualTo(200);
        assertThat(Files.readString(gateway.configFile())).contains("      staging: 2\n      canary: 1\n");

        JsonNode rollback = Http.json(admin("POST", "/admin/config/versions/1/rollback", null));
        assertThat(rollback.path("rolled_back_to").asInt()).isEqualTo(1);
        assertThat(Files.readString(gateway.configFile())).isEqualTo(original);
        assertThat(Http.json(admin("GET", "/admin/prompts/support-answer", null)).at("/labels/production").asInt())
                .isEqualTo(1);

        assertThat(admin("PUT", "/admin/prompts/support-answer/labels/production", "{\"version\": 7}")
                .statusCode()).isEqualTo(404);
        assertThat(admin("PUT", "/admin/prompts/support-answer/labels/production", "{\"version\": \"2\"}")
                .statusCode()).isEqualTo(400);
        assertThat(admin("PUT", "/admin/prompts/support-answer/labels/production", "{\"version\": 1}").body())
                .contains("\"reason\":\"unchanged\"");

        // a flow-style prompt cannot take a new label without a hand edit; nothing changes
        HttpResponse<String> flow = admin("PUT", "/admin/prompts/terse/labels/staging", "{\"version\": 1}");
        assertThat(flow.statusCode()).isEqualTo(409);
        assertThat(Http.json(flow).at("/error/message").asText()).contains("flow style", "editing the file");
        assertThat(Files.readString(gateway.configFile())).isEqualTo(original);
    }

    @Test
    void labelsStillMoveWhileTheFileCannotBeWrittenAndTheFileCatchesUpOnceItCan() throws Exception {
        start(sqlite());
        Path file = gateway.configFile().toRealPath();
        String original = Files.readString(file);
        // The write goes through this temporary file: a directory in its place makes every write fail, as a
        // read-only ConfigMap does.
        Path blocker = file.resolveSibling("." + file.getFileName() + ".tollgate-write");
        Files.createDirectories(blocker.resolve("in-the-way"));

        JsonNode first = Http.json(admin("PUT", "/admin/prompts/support-answer/labels/production", "{\"version\": 2}"));
        assertThat(first.path("applied").asBoolean()).isTrue();
        assertThat(first.path("file_updated").asBoolean()).isFalse();
        assertThat(first.path("file_note").asText()).contains("could not be rewritten");
        assertThat(Files.readString(file)).isEqualTo(original);

        // The file is behind only because the gateway could not write it: the next move builds on the version in
        // force, not refused as if someone had edited the file.
        HttpResponse<String> second = admin("PUT", "/admin/prompts/support-answer/labels/canary", "{\"version\": 1}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(Http.json(second).path("diff").asText()).contains("+      canary: 1")
                .doesNotContain("-      production");
        JsonNode labels = Http.json(admin("GET", "/admin/prompts/support-answer", null)).path("labels");
        assertThat(labels.path("production").asInt()).isEqualTo(2);
        assertThat(labels.path("canary").asInt()).isEqualTo(1);

        Files.delete(blocker.resolve("in-the-way"));
        Files.delete(blocker);
        JsonNode third = Http.json(admin("PUT", "/admin/prompts/support-answer/labels/staging", "{\"version\": 1}"));
        assertThat(third.path("file_updated").asBoolean()).isTrue();
        assertThat(Files.readString(file)).isEqualTo(original
                .replace("production: 1   # what serves", "production: 2   # what serves")
                .replace("      staging: 2\n", "      staging: 1\n      canary: 1\n"));

        // A file someone changed is still refused.
        gateway.writeConfig(Files.readString(file).replace("description: Answers tickets", "description: edited"));
        assertThat(admin("PUT", "/admin/prompts/support-answer/labels/canary", "{\"version\": 2}").statusCode())
                .isEqualTo(409);
    }

    @Test
    void anEditIsRefusedWhileTheFileHoldsAnUnappliedChange() throws Exception {
        start(sqlite());
        gateway.writeConfig(config(sqlite()).replace("description: Answers tickets", "description: edited"));
        HttpResponse<String> refused = admin("PUT", "/admin/prompts/support-answer/labels/production",
                "{\"version\": 2}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(Http.json(refused).at("/error/message").asText())
                .contains("has been changed since version 1 was applied");
        assertThat(Files.readString(gateway.configFile())).contains("description: edited", "production: 1 ");
    }

    @Test
    void aConfigThatEditsAVersionInForceIsRejected() throws Exception {
        start(sqlite());
        gateway.writeConfig(config(sqlite()).replace("You answer for {{product}}.", "You answer for {{product}}!"));
        HttpResponse<String> reload = admin("POST", "/admin/config/reload", null);
        assertThat(reload.statusCode()).isEqualTo(422);
        JsonNode problem = Http.json(reload).at("/error/problems/0");
        assertThat(problem.path("message").asText()).isEqualTo("version 1 of prompt 'support-answer' differs from "
                + "the one in force; versions are immutable: add a new version and move the label");
        assertThat(problem.path("path").asText()).isEqualTo("prompts.support-answer.versions.1");
        assertThat(problem.path("line").asInt()).isEqualTo(config(sqlite()).lines().toList()
                .indexOf("      1:") + 1);
        assertThat(Http.json(admin("GET", "/admin/config", null)).path("version").asInt()).isEqualTo(1);
        // the same check on a dry run
        assertThat(admin("POST", "/admin/config/reload?dry_run=true", null).statusCode()).isEqualTo(422);
    }

    @Test
    void experimentResultsComeFromTheLedgerWithTheirSignificance() throws Exception {
        start(sqlite());
        JsonNode empty = Http.json(admin("GET", "/admin/experiments/tone", null));
        assertThat(empty.at("/arms/0/requests").asInt()).isZero();
        assertThat(empty.at("/arms/0/error_rate").isNull()).isTrue();
        assertThat(empty.at("/arms/1/vs_control/0/verdict").asText()).startsWith("not enough data");

        Instant at = Instant.now().minusSeconds(60);
        Random random = new Random(5);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"));
                PreparedStatement spend = c.prepareStatement("""
                        INSERT INTO spend (request_id, at_ms, day, route, model, input_tokens, output_tokens,
                            cached_input_tokens, cache_write_tokens, reasoning_tokens, usage_reported, cost_nanos,
                            cost_estimated, outcome, status, cache_hit, stream, latency_ms, prompt_id, prompt_version,
                            experiment, experiment_arm)
                        VALUES (?, ?, '2026-01-01', 'chat', 'm', 100, 50, 0, 0, 0, 1, 1000, 0, ?, 200, 0, 0, ?,
                            'support-answer', ?, 'tone', ?)""");
                PreparedStatement feedback = c.prepareStatement("""
                        INSERT INTO feedback (request_id, client_request_id, request_at_ms, at_ms, model, score,
                            score_value) VALUES (?, ?, ?, ?, 'm', 'stars', ?)""")) {
            for (int i = 0; i < 90; i++) {
                boolean b = i % 2 == 1 && i < 80; // the last ten: arm a's requests refused by a budget
                String outcome = i >= 80 ? "policy_denied" : i % 10 == 0 ? "provider_error" : "success";
                String id = "r" + i;
                spend.setString(1, id);
                spend.setLong(2, at.toEpochMilli());
                spend.setString(3, outcome);
                spend.setLong(4, i >= 80 ? 1 : 100 + random.nextInt(20));
                spend.setInt(5, b ? 2 : 1);
                spend.setString(6, b ? "b" : "a");
                spend.executeUpdate();
                if (i >= 80) {
                    continue;
                }
                feedback.setString(1, id);
                feedback.setString(2, id);
                feedback.setLong(3, at.toEpochMilli());
                feedback.setLong(4, at.toEpochMilli());
                feedback.setDouble(5, (b ? 0.8 : 0.4) + random.nextDouble() * 0.1);
                feedback.executeUpdate();
            }
        }
        JsonNode report = Http.json(admin("GET", "/admin/experiments/tone?since=" + at.minusSeconds(1), null));
        JsonNode a = report.at("/arms/0");
        JsonNode b = report.at("/arms/1");
        assertThat(report.path("control").asText()).isEqualTo("a");
        assertThat(a.path("requests").asInt()).isEqualTo(50);
        assertThat(a.path("handled").asInt()).isEqualTo(40);
        assertThat(a.path("errors").asInt()).isEqualTo(8);
        // over the 40 handled: the refused ten are no successes of the arm's, and took none of its time
        assertThat(a.path("error_rate").asDouble()).isEqualTo(0.2);
        assertThat(a.path("latency_ms_mean").asDouble()).isBetween(100.0, 120.0);
        assertThat(a.path("cost_usd").asText()).isEqualTo("0.00005");
        assertThat(a.path("input_tokens_mean").asDouble()).isEqualTo(100);
        assertThat(a.path("feedback_count").asInt()).isEqualTo(40);
        assertThat(b.path("renders_version").asInt()).isEqualTo(2);
        JsonNode score = b.at("/vs_control/1");
        assertThat(score.path("metric").asText()).isEqualTo("feedback_score");
        assertThat(score.path("significant").asBoolean()).isTrue();
        assertThat(score.path("verdict").asText()).startsWith("b has a higher feedback score than a (p");
        assertThat(b.at("/vs_control/0/verdict").asText()).startsWith("not enough data"); // 0 errors in b
        // rows before since are left out
        assertThat(Http.json(admin("GET", "/admin/experiments/tone?since=" + Instant.now().plusSeconds(5), null))
                .at("/arms/0/requests").asInt()).isZero();
        assertThat(Http.json(admin("GET", "/admin/experiments", null)).at("/data/0/arms/0/requests").asInt())
                .isEqualTo(50);
        assertThat(admin("GET", "/admin/experiments/none", null).statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/admin/experiments/tone?since=yesterday", null).statusCode()).isEqualTo(400);
    }

    @Test
    void requestsThroughTheGatewayAndTheirFeedbackAreCountedPerArm() throws Exception {
        start(sqlite());
        Map<String, Integer> served = new java.util.TreeMap<>();
        int requests = 12;
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> answer = Http.post(gateway.url("/v1/chat/completions"),
                    "{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "x-tollgate-prompt", "support-answer",
                    "x-tollgate-prompt-variables", "{\"product\":\"Acme\",\"ticket\":\"T-" + i + "\"}");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            String arm = answer.headers().firstValue("x-tollgate-experiment").orElseThrow();
            served.merge(arm.substring("tone/".length()), 1, Integer::sum);
            String id = answer.headers().firstValue("x-request-id").orElseThrow();
            assertThat(Http.post(gateway.url("/v1/feedback"), "{\"request_id\":\"" + id + "\",\"score\":\"up\"}")
                    .statusCode()).isEqualTo(200);
        }
        JsonNode report = null;
        for (int i = 0; i < 100; i++) { // spend rows and ratings are written off the request path
            report = Http.json(admin("GET", "/admin/experiments/tone", null));
            int counted = 0;
            int rated = 0;
            for (JsonNode arm : report.path("arms")) {
                counted += arm.path("requests").asInt();
                rated += arm.path("feedback_count").asInt();
            }
            if (counted == requests && rated == requests) {
                break;
            }
            Thread.sleep(50);
        }
        for (JsonNode arm : report.path("arms")) {
            int expected = served.getOrDefault(arm.path("name").asText(), 0);
            assertThat(arm.path("requests").asInt()).as(report.toString()).isEqualTo(expected);
            assertThat(arm.path("feedback_count").asInt()).isEqualTo(expected);
            if (expected > 0) {
                assertThat(arm.path("feedback_score_mean").asDouble()).isEqualTo(1.0);
                assertThat(arm.path("error_rate").asDouble()).isZero();
                assertThat(arm.path("input_tokens_mean").asDouble()).isPositive();
            }
        }
        assertThat(served).doesNotContainKey("c"); // weight 0
    }

    @Test
    void withoutALedgerResultsAreRefusedClearly() throws Exception {
        start("none");
        HttpResponse<String> refused = admin("GET", "/admin/experiments/tone", null);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(Http.json(refused).at("/error/message").asText()).contains("need the ledger");
    }

    @Test
    void endingAnExperimentPromotesTheWinnerAndRemovesItInOneVersion() throws Exception {
        start(sqlite());
        HttpResponse<String> bad = admin("POST", "/admin/experiments/tone/end", "{\"winner\": \"z\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Http.json(bad).at("/error/message").asText()).contains("its arms: a, b, c");

        HttpResponse<String> ended = admin("POST", "/admin/experiments/tone/end", "{\"winner\": \"b\"}");
        assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
        JsonNode answer = Http.json(ended);
        assertThat(answer.path("version").asInt()).isEqualTo(2);
        assertThat(answer.path("label_version").asInt()).isEqualTo(2);
        assertThat(answer.path("note").asText()).contains("model 'other-group'", "not part of version 2");
        String file = Files.readString(gateway.configFile());
        assertThat(file).contains("production: 2   # what serves", "experiments:\n\n# the end")
                .doesNotContain("tone:", "arms:");
        JsonNode prompt = Http.json(admin("GET", "/admin/prompts/support-answer", null));
        assertThat(prompt.at("/labels/production").asInt()).isEqualTo(2);
        assertThat(prompt.path("experiments").size()).isZero();
        assertThat(Http.json(admin("GET", "/admin/config", null)).path("note").asText())
                .isEqualTo("end experiment tone: b wins, label support-answer@production -> 2");
        assertThat(gateway.logs()).contains("\"action\":\"experiment.end\"");
        assertThat(admin("POST", "/admin/experiments/tone/end", "{\"winner\": \"b\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void aWinnerThatOnlyChangedTheModelKeepsTheLabelWhereItIs() throws Exception {
        start(sqlite());
        JsonNode answer = Http.json(admin("POST", "/admin/experiments/tone/end", "{\"winner\": \"c\"}"));
        assertThat(answer.path("applied").asBoolean()).isTrue();
        assertThat(answer.path("label_version").asInt()).isEqualTo(1);
        assertThat(answer.path("note").asText()).contains("model 'other-group'", "whose model is 'some-chat-group'");
        assertThat(Files.readString(gateway.configFile())).contains("production: 1   # what serves")
                .doesNotContain("tone:");
        assertThat(Http.json(admin("GET", "/admin/experiments", null)).path("data").size()).isZero();
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(gateway.adminUrl(path)).header("authorization", "Bearer " + ADMIN)
                .header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
