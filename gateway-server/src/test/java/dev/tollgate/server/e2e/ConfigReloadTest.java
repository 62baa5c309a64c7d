package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config changes through the file watch and the admin API: applied whole or rejected whole, each applied one a
 * numbered version that can be diffed and rolled back, with an audit line for every outcome.
 */
class ConfigReloadTest {
    private static final String ADMIN = "admin-key-for-reload-tests";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String config(String extraModel) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                admin: { keys: ["%s"] }
                providers:
                  demo: { type: mock }
                  paid: { type: openai, base_url: https://api.example.com/v1, api_key: "${env:UPSTREAM_KEY}" }
                models:
                  alpha: { deployments: [ { provider: demo } ] }
                %s""".formatted(KeyHash.of(ADMIN), extraModel);
    }

    private static final String V1 = config("");
    private static final String V2 = config("  beta: { deployments: [ { provider: demo } ] }\n");
    private static final String BROKEN = config("  gamma: { deployments: [ { provider: nowhere } ] }\n"
            + "  delta: { strategy: fastest, deployments: [ { provider: demo } ] }\n");

    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = RunningGateway.start(V1, Map.of("UPSTREAM_KEY", "sk-never-shown"));
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void anEditedFileIsAppliedAsTheNextVersion() throws Exception {
        assertThat(models()).doesNotContain("beta");
        gateway.writeConfig(V2);

        JsonNode current = awaitConfig(c -> c.path("version").asInt() == 2);
        assertThat(current.path("actor").asText()).isEqualTo("file watch");
        assertThat(current.path("restart_required").size()).isZero();
        assertThat(models()).contains("alpha", "beta");
        assertThat(chat("beta").statusCode()).isEqualTo(200);
        awaitLog("\"action\":\"config.applied\"");
    }

    @Test
    void aBrokenFileIsRejectedWholeAndTheRunningConfigKeepsServing() throws Exception {
        gateway.writeConfig(BROKEN);
        awaitLog("\"action\":\"config.rejected\"");

        assertThat(Http.json(admin("GET", "/admin/config")).path("version").asInt()).isEqualTo(1);
        assertThat(models()).doesNotContain("gamma", "delta");
        assertThat(chat("alpha").statusCode()).isEqualTo(200);
        assertThat(gateway.logs()).contains("unknown provider 'nowhere'").contains("fastest");

        HttpResponse<String> reload = admin("POST", "/admin/config/reload");
        assertThat(reload.statusCode()).isEqualTo(422);
        JsonNode problems = Http.json(reload).at("/error/problems");
        assertThat(problems.size()).isGreaterThanOrEqualTo(2); // every problem, not the first
        assertThat(problems.get(0).path("line").asInt()).isPositive();
        assertThat(problems.get(0).path("text").asText()).contains("test.yaml:");
    }

    @Test
    void aMissingFileIsReportedOnceAndItsReturnIsApplied() throws Exception {
        Files.delete(gateway.configFile());
        awaitLog("\"action\":\"config.rejected\"");

        // Other files in the directory change: the watch reads the config file again and finds it still missing.
        for (int i = 0; i < 3; i++) {
            Files.writeString(gateway.configFile().resolveSibling("unrelated-" + i + ".txt"), "x");
            Thread.sleep(500);
        }
        assertThat(gateway.logs().lines().filter(l -> l.contains("\"action\":\"config.rejected\""))).hasSize(1);

        gateway.writeConfig(V2);
        awaitConfig(c -> c.path("version").asInt() == 2);
        assertThat(models()).contains("beta");
    }

    @Test
    void aDryRunShowsTheDiffWithoutApplyingIt() throws Exception {
        disableWatch();
        gateway.writeConfig(V2); // not applied: the watch is off

        JsonNode dry = Http.json(admin("POST", "/admin/config/reload?dry_run=true"));
        assertThat(dry.path("dry_run").asBoolean()).isTrue();
        assertThat(dry.path("valid").asBoolean()).isTrue();
        assertThat(dry.path("diff").asText()).contains("+  beta:");
        assertThat(models()).doesNotContain("beta");
        assertThat(Http.json(admin("GET", "/admin/config")).path("version").asInt()).isEqualTo(2);

        JsonNode applied = Http.json(admin("POST", "/admin/config/reload"));
        assertThat(applied.path("applied").asBoolean()).isTrue();
        assertThat(applied.path("version").asInt()).isEqualTo(3);
        assertThat(models()).contains("beta");
        assertThat(Http.json(admin("POST", "/admin/config/reload")).path("reason").asText()).isEqualTo("unchanged");
    }

    @Test
    void aRollbackBringsAVersionBackAndRewritesTheFile() throws Exception {
        gateway.writeConfig(V2);
        awaitConfig(c -> c.path("version").asInt() == 2);

        JsonNode rolled = Http.json(admin("POST", "/admin/config/versions/1/rollback"));
        assertThat(rolled.path("applied").asBoolean()).isTrue();
        assertThat(rolled.path("version").asInt()).isEqualTo(3);
        assertThat(rolled.path("rolled_back_to").asInt()).isEqualTo(1);
        assertThat(rolled.path("file_updated").asBoolean()).isTrue();
        assertThat(models()).doesNotContain("beta");
        assertThat(Files.readString(gateway.configFile())).doesNotContain("beta");

        JsonNode versions = Http.json(admin("GET", "/admin/config/versions")).path("data");
        assertThat(versions.size()).isEqualTo(3);
        assertThat(versions.get(0).path("note").asText()).isEqualTo("rollback to 1");
        assertThat(versions.get(0).path("actor").asText()).startsWith("admin:");
        assertThat(versions.get(0).path("current").asBoolean()).isTrue();
        assertThat(versions.get(0).path("hash").asText()).isEqualTo(versions.get(2).path("hash").asText());

        // The rollback's own write of the file is not a change: no version 4 appears from the file watch.
        Thread.sleep(1000);
        assertThat(Http.json(admin("GET", "/admin/config")).path("version").asInt()).isEqualTo(3);

        HttpResponse<String> diff = admin("GET", "/admin/config/diff?from=1&to=2");
        assertThat(diff.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(diff.body()).contains("--- v1").contains("+++ v2").contains("+  beta:");
        assertThat(admin("GET", "/admin/config/diff?from=9").statusCode()).isEqualTo(404);
        assertThat(admin("POST", "/admin/config/versions/9/rollback").statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/admin/config/versions/x").statusCode()).isEqualTo(400);
    }

    @Test
    void aRollbackKeepsTheFilesPermissions() throws Exception {
        Path file = gateway.configFile();
        assumeTrue(file.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        gateway.writeConfig(V2);
        awaitConfig(c -> c.path("version").asInt() == 2);
        // Owner only: the file may hold a secret written inline, and a rollback must not open it to others.
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThat(Http.json(admin("POST", "/admin/config/versions/1/rollback")).path("file_updated").asBoolean())
                .isTrue();
        assertThat(Files.readString(file)).doesNotContain("beta");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var siblings = Files.list(file.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("rollback"));
        }
    }

    @Test
    void aRollbackToTheVersionInForceRestoresAFileHoldingARejectedEdit() throws Exception {
        gateway.writeConfig(BROKEN);
        awaitLog("\"action\":\"config.rejected\"");

        JsonNode rolled = Http.json(admin("POST", "/admin/config/versions/1/rollback"));
        assertThat(rolled.path("reason").asText()).isEqualTo("unchanged");
        assertThat(Files.readString(gateway.configFile())).doesNotContain("nowhere");
        assertThat(Http.json(admin("GET", "/admin/config")).path("version").asInt()).isEqualTo(1);
    }

    @Test
    void aRotatedSecretFileIsPutInForceByAReloadOfTheSameText(@TempDir Path secrets) throws Exception {
        Path key = Files.writeString(secrets.resolve("upstream-key"), "sk-first");
        String withFile = V1.replace("${env:UPSTREAM_KEY}", "${file:" + key + "}");
        gateway.writeConfig(withFile);
        awaitConfig(c -> c.path("version").asInt() == 2);
        assertThat(Http.json(admin("POST", "/admin/config/reload")).path("reason").asText()).isEqualTo("unchanged");

        Files.writeString(key, "sk-rotated");
        JsonNode reloaded = Http.json(admin("POST", "/admin/config/reload"));
        assertThat(reloaded.path("applied").asBoolean()).isTrue();
        assertThat(reloaded.path("diff").asText()).isEmpty();
        JsonNode current = Http.json(admin("GET", "/admin/config"));
        assertThat(current.path("version").asInt()).isEqualTo(3);
        assertThat(current.path("note").asText()).isEqualTo("secrets re-read");
    }

    @Test
    void versionsAreShownRedactedAndOnlyToAdmins() throws Exception {
        JsonNode v1 = Http.json(admin("GET", "/admin/config/versions/1"));
        assertThat(v1.path("yaml").asText()).contains("${env:UPSTREAM_KEY}").doesNotContain("sk-never-shown")
                .doesNotContain(KeyHash.of(ADMIN).hex());
        assertThat(Http.get(gateway.adminUrl("/admin/config")).statusCode()).isEqualTo(401);
        assertThat(Http.get(gateway.url("/admin/config")).statusCode()).isEqualTo(404);
    }

    @Test
    void listenerChangesWaitForARestartWhileTheRestApplies() throws Exception {
        gateway.writeConfig(V2.replace("listen: 127.0.0.1:0,", "listen: 127.0.0.1:1,"));

        JsonNode current = awaitConfig(c -> c.path("version").asInt() == 2);
        assertThat(current.path("restart_required").toString()).isEqualTo("[\"server.listen\"]");
        assertThat(models()).contains("beta"); // served on the port it started with
        assertThat(Http.get(gateway.adminUrl("/metrics")).body())
                .contains("tollgate_config_restart_pending 1.0").contains("tollgate_config_version 2.0");
    }

    private void disableWatch() throws Exception {
        gateway.writeConfig(V1.replace("server: {", "server: { watch_config: false,"));
        awaitConfig(c -> c.path("version").asInt() == 2);
    }

    private JsonNode awaitConfig(Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode current;
        do {
            current = Http.json(admin("GET", "/admin/config"));
            if (done.test(current)) {
                return current;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the config did not reach the expected state; it is " + current);
    }

    private void awaitLog(String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!gateway.logs().contains(fragment)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no log line with " + fragment + " in:\n" + gateway.logs());
            }
            Thread.sleep(50);
        }
    }

    private String models() throws Exception {
        return Http.get(gateway.url("/v1/models")).body();
    }

    private HttpResponse<String> chat(String model) throws Exception {
        return Http.post(gateway.url("/v1/chat/completions"), Http.chat(model, false));
    }

    private HttpResponse<String> admin(String method, String path) throws Exception {
        var request = HttpRequest.newBuilder(gateway.adminUrl(path)).header("authorization", "Bearer " + ADMIN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
