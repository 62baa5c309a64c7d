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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit trail: every admin change and config change is on record, in the event log and in
 * {@code server.audit_log}, before it takes effect; a change the audit file cannot take is not made.
 */
class AuditTrailTest {
    private static final String ADMIN = "admin-key-for-audit-tests";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningGateway gateway;

    private static String config(String auditLog, String logLevel) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, audit_log: "%s", log_level: %s }
                admin: { keys: ["%s"] }
                teams:
                  support: { limits: { rpm: 1000 } }
                providers:
                  demo: { type: mock }
                models:
                  alpha: { deployments: [ { provider: demo } ], cache: { enabled: true } }
                """.formatted(auditLog, logLevel, KeyHash.of(ADMIN));
    }

    @BeforeEach
    void start() throws Exception {
        gateway = RunningGateway.start(config("audit/trail.jsonl", "info"), Map.of());
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private Path trail() {
        return gateway.configFile().resolveSibling("audit/trail.jsonl");
    }

    @Test
    void adminChangesAreRecordedBeforeAndAfterWithTheActorAndNoSecret() throws Exception {
        HttpResponse<String> created = Http.post(gateway.adminUrl("/admin/keys"),
                "{\"name\":\"bot\",\"team\":\"support\"}", "authorization", "Bearer " + ADMIN);
        assertThat(created.statusCode()).isEqualTo(201);
        String raw = Http.json(created).path("key").asText();
        assertThat(Http.post(gateway.adminUrl("/admin/keys/bot/revoke"), "", "authorization", "Bearer " + ADMIN)
                .statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/admin/cache?model=alpha").statusCode()).isEqualTo(200);

        List<JsonNode> lines = audit(trail());
        String actor = "admin:" + KeyHash.of(ADMIN).hex().substring(0, 12);
        assertThat(lines).extracting(l -> l.path("action").asText() + " " + l.path("stage").asText() + " "
                        + l.path("status").asText())
                .containsExactly("key.create intent ", "key.create done 201", "key.revoke intent ",
                        "key.revoke done 200", "cache.purge intent ", "cache.purge done 200");
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.path("type").asText()).isEqualTo("audit");
            assertThat(l.path("actor").asText()).isEqualTo(actor);
        });
        assertThat(lines.get(0).path("key").asText()).isEqualTo("bot");
        assertThat(lines.get(0).path("team").asText()).isEqualTo("support");
        assertThat(lines.get(4).path("model").asText()).isEqualTo("alpha");
        assertThat(Files.readString(trail())).doesNotContain(raw);
        assertThat(gateway.logs()).contains("\"action\":\"key.create\"").doesNotContain(raw);
    }

    @Test
    void aChangeTheAuditFileCannotTakeIsNotMadeAndAConfigThatRepairsThePathIsApplied() throws Exception {
        Path blocked = Files.createDirectories(gateway.configFile().resolveSibling("blocked"));
        // The change that moves the trail is recorded where the new config says; a directory cannot take it.
        gateway.writeConfig(config("blocked", "info"));
        HttpResponse<String> reload = Http.post(gateway.adminUrl("/admin/config/reload"), "",
                "authorization", "Bearer " + ADMIN);
        assertThat(reload.statusCode()).isEqualTo(503);
        assertThat(Http.json(reload).at("/error/message").asText()).contains("cannot be written")
                .contains("the change was not made");
        assertThat(version()).isEqualTo(1);

        // Now in force through a file system fault instead: the trail file becomes a directory.
        Files.delete(trail());
        Files.createDirectory(trail());
        HttpResponse<String> refused = Http.post(gateway.adminUrl("/admin/keys"), "{\"name\":\"ghost\"}",
                "authorization", "Bearer " + ADMIN);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(Http.json(refused).at("/error/message").asText()).contains("the change was not made");
        assertThat(send("GET", "/admin/keys").body()).doesNotContain("ghost");

        // A config naming a writable trail repairs it: the change is applied and recorded there.
        gateway.writeConfig(config("audit/next.jsonl", "warn"));
        HttpResponse<String> repaired = Http.post(gateway.adminUrl("/admin/config/reload"), "",
                "authorization", "Bearer " + ADMIN);
        assertThat(repaired.statusCode()).isEqualTo(200);
        assertThat(version()).isEqualTo(2);
        List<JsonNode> next = audit(gateway.configFile().resolveSibling("audit/next.jsonl"));
        assertThat(next).singleElement().satisfies(l -> {
            assertThat(l.path("action").asText()).isEqualTo("config.applied");
            assertThat(l.path("version").asInt()).isEqualTo(2);
            assertThat(l.path("previous").asInt()).isEqualTo(1);
        });
        assertThat(blocked).isEmptyDirectory();
    }

    @Test
    void theLogLevelAppliesOnReload() throws Exception {
        gateway.writeConfig(config("audit/trail.jsonl", "error"));
        awaitVersion(2);
        // A rejected config is a warn line: filtered at error, while its audit line is not.
        gateway.writeConfig("models: {");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!gateway.logs().contains("\"action\":\"config.rejected\"") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(gateway.logs()).contains("\"action\":\"config.rejected\"")
                .doesNotContain("config rejected; the running config keeps serving");
    }

    private int version() throws Exception {
        return Http.json(send("GET", "/admin/config")).path("version").asInt();
    }

    private void awaitVersion(int version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (version() != version) {
            assertThat(System.nanoTime()).as("config version %d applied in time", version).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(gateway.adminUrl(path)).method(method,
                        HttpRequest.BodyPublishers.noBody()).header("authorization", "Bearer " + ADMIN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<JsonNode> audit(Path file) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(Http.JSON.readTree(line));
        }
        return lines;
    }
}
