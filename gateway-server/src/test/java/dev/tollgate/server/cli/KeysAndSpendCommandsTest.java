package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys and spend commands against a real gateway, with the built-in mock as the provider. */
class KeysAndSpendCommandsTest {
    private static final String ADMIN = "admin-key-for-cli-tests";
    private static final String VIEWER = "viewer-key-for-cli-tests";
    private static final String FILE_KEY = "tg-file-key-for-cli-tests";
    private static final Pattern RAW_KEY = Pattern.compile("^  (tg-\\S+)$", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static RunningGateway gateway;
    private static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                admin: { keys: ["%s", { hash: "%s", role: viewer, name: ci-readonly }] }
                providers:
                  mock: { type: mock, mock: { chunks: 2, answer_words: 5 } }
                prices:
                  mock/mock-1: { input: 1, output: 2, max_output_tokens: 1000 }
                teams:
                  support: { budget: { usd: 1000, period: monthly } }
                keys:
                  - { name: from-file, hash: "%s", team: support, limits: { rpm: 1000 } }
                models:
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                  other: { deployments: [ { provider: mock, model: mock-1 } ] }
                """.formatted(dir.resolve("ledger.db"), KeyHash.of(ADMIN), KeyHash.of(VIEWER), KeyHash.of(FILE_KEY)),
                Map.of());
        String adminUrl = gateway.adminUrl("").toString();
        env = Map.of(Connection.URL_ENV, adminUrl, Connection.KEY_ENV, ADMIN);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static CliRun run(String... args) throws InterruptedException {
        return CliRun.run(env, args);
    }

    private static int chat(String key, String model) throws Exception {
        var request = HttpRequest.newBuilder(gateway.url("/v1/chat/completions")).timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static String created(CliRun run) {
        assertThat(run.code()).as(run.err()).isZero();
        Matcher key = RAW_KEY.matcher(run.out());
        assertThat(key.find()).as(run.out()).isTrue();
        return key.group(1);
    }

    /** The line of {@code keys list} about {@code name}. */
    private static String listed(String name) throws InterruptedException {
        CliRun list = run("keys", "list");
        assertThat(list.code()).isZero();
        return list.out().lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow();
    }

    @Test
    void aKeyMadeOnTheCommandLineWorksAtOnceAndIsRefusedOnceRevoked() throws Exception {
        CliRun create = run("keys", "create", "ci-bot", "--team", "support", "--models", "fast", "--budget", "5",
                "--period", "daily", "--alerts", "0.5,0.8", "--rpm", "60", "--tpm=100000", "--expires", "2099-01-01",
                "--metadata", "owner=alice", "--metadata", "purpose=ci");
        String key = created(create);
        assertThat(create.out()).startsWith("created key 'ci-bot' in team 'support'\n")
                .endsWith("Store it now: the gateway keeps only its hash and cannot show it again.\n");
        assertThat(key).startsWith("tg-").hasSize(46);
        assertThat(chat(key, "fast")).isEqualTo(200);

        assertThat(listed("ci-bot")).matches("ci-bot +admin_api +support +active +\\d{4}-\\d\\d-\\d\\dT\\S+Z +"
                + "rpm 60, tpm 100000 +\\$5\\.00 daily, alerts at 50%, 80%");
        assertThat(listed("from-file")).matches("from-file +config +support +active +- +rpm 1000 +-");

        CliRun show = run("keys", "show", "ci-bot");
        assertThat(show.code()).isZero();
        assertThat(show.out()).contains("name                  ci-bot\n", "status                active\n",
                "team                  support\n", "expires               2099-01-01T00:00:00Z\n",
                "models                fast\n", "endpoints             all\n",
                "metadata              owner=alice, purpose=ci\n", "requests last minute  1\n")
                .doesNotContain(key);
        assertThat(chat(key, "other")).isEqualTo(403);

        CliRun revoke = run("keys", "revoke", "ci-bot");
        assertThat(revoke.code()).isZero();
        assertThat(revoke.out()).startsWith("key 'ci-bot' revoked");
        assertThat(chat(key, "fast")).isEqualTo(401);
        assertThat(listed("ci-bot")).contains(" revoked ");

        CliRun enable = run("keys", "enable", "ci-bot");
        assertThat(enable.out()).isEqualTo("key 'ci-bot' enabled\n");
        assertThat(chat(key, "fast")).isEqualTo(200);
    }

    @Test
    void jsonPrintsTheCreatedKeysReplyAndWarnsOnTheSide() throws Exception {
        CliRun create = run("keys", "create", "json-bot", "--json");
        assertThat(create.code()).isZero();
        JsonNode reply = JSON.readTree(create.out());
        assertThat(reply.path("name").asText()).isEqualTo("json-bot");
        assertThat(reply.path("key").asText()).startsWith("tg-");
        assertThat(create.err()).contains("cannot show it again");
        assertThat(JSON.readTree(run("keys", "list", "--json").out()).path("data").findValuesAsText("name"))
                .contains("json-bot", "from-file");
    }

    @Test
    void theGatewayJudgesTheKeyWithTheConfigFilesRules() throws Exception {
        CliRun team = run("keys", "create", "lost", "--team", "nobody");
        assertThat(team.code()).isEqualTo(1);
        assertThat(team.err()).startsWith("tollgate keys create: HTTP 400: ").contains("nobody");
        CliRun period = run("keys", "create", "hourly", "--budget", "5", "--period", "hourly");
        assertThat(period.code()).isEqualTo(1);
        assertThat(period.err()).contains("unknown period 'hourly'");
        CliRun twice = run("keys", "create", "from-file");
        assertThat(twice.err()).isEqualTo("tollgate keys create: HTTP 409: A key named 'from-file' exists.\n");
    }

    @Test
    void refusalsCarryTheGatewaysMessageAndExit1() throws Exception {
        CliRun fileKey = run("keys", "revoke", "from-file");
        assertThat(fileKey.code()).isEqualTo(1);
        assertThat(fileKey.err()).isEqualTo("tollgate keys revoke: HTTP 409: The key 'from-file' is defined in the "
                + "config file; change it there.\n");
        CliRun ghost = run("keys", "show", "ghost");
        assertThat(ghost.code()).isEqualTo(1);
        assertThat(ghost.err()).isEqualTo("tollgate keys show: HTTP 404: No key named 'ghost'.\n");
        assertThat(chat(FILE_KEY, "fast")).isEqualTo(200);
    }

    @Test
    void aWrongAdminKeyIsRefusedWithoutBeingPrinted() throws Exception {
        CliRun wrong = CliRun.run(Map.of(Connection.URL_ENV, env.get(Connection.URL_ENV),
                Connection.KEY_ENV, "not-the-admin-key"), "keys", "list");
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).isEqualTo("tollgate keys list: HTTP 401: A valid admin key is required. The admin key "
                + "in TOLLGATE_ADMIN_KEY is not one of the gateway's admin.keys.\n");
    }

    @Test
    void aViewerKeyListsButCannotChangeAndIsToldWhy() throws Exception {
        Map<String, String> viewer = Map.of(Connection.URL_ENV, env.get(Connection.URL_ENV),
                Connection.KEY_ENV, VIEWER);
        CliRun list = CliRun.run(viewer, "keys", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("from-file");
        CliRun create = CliRun.run(viewer, "keys", "create", "by-viewer");
        assertThat(create.code()).isEqualTo(1);
        assertThat(create.err()).isEqualTo("tollgate keys create: HTTP 403: This admin key has the viewer role, "
                + "which may only read; POST /admin/keys needs the admin role. The admin key in TOLLGATE_ADMIN_KEY "
                + "has the viewer role: use a key with role admin for this command.\n");
        assertThat(run("keys", "list").out()).doesNotContain("by-viewer");
    }

    @Test
    void theAdminKeyCanComeFromAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("admin.key"), ADMIN + "\n");
        CliRun run = CliRun.run(Map.of(Connection.URL_ENV, env.get(Connection.URL_ENV)), "keys", "list",
                "--admin-key-file", file.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("NAME ").contains("from-file").doesNotContain(ADMIN);
    }

    @Test
    void spendReportsWhatTheKeysSpentAsATableCsvOrJson() throws Exception {
        String key = created(run("keys", "create", "spender", "--team", "support"));
        assertThat(chat(key, "fast")).isEqualTo(200);
        assertThat(chat(key, "fast")).isEqualTo(200);
        CliRun table = run("spend", "--key", "spender");
        for (int i = 0; i < 50 && !table.out().contains("total: 2 requests"); i++) {
            Thread.sleep(100); // the ledger writes its rows in batches, off the request path
            table = run("spend", "--key", "spender");
        }
        assertThat(table.code()).isZero();
        assertThat(table.out()).startsWith("spend by key, ")
                .containsPattern("\nKEY +REQUESTS +FAILED +INPUT TOKENS +OUTPUT TOKENS +CACHE HITS +COST\n")
                .containsPattern("\nspender +2 +0 +\\d+ +\\d+ +0 +\\$\\d+\\.\\d+\n")
                .contains("total: 2 requests, $");

        CliRun csv = run("spend", "--group-by", "team", "--team", "support", "--csv");
        assertThat(csv.code()).isZero();
        assertThat(csv.out()).startsWith("team,requests,failed,").contains("\r\nsupport,");

        CliRun json = run("spend", "--key", "spender", "--from", "2020-01-01", "--json");
        assertThat(JSON.readTree(json.out()).at("/data/0/requests").asLong()).isEqualTo(2);
        assertThat(JSON.readTree(json.out()).at("/from").asText()).isEqualTo("2020-01-01T00:00:00Z");

        CliRun nothing = run("spend", "--key", "spender", "--from", "2020-01-01", "--to", "2020-02-01");
        assertThat(nothing.out()).isEqualTo("no spend from 2020-01-01T00:00:00Z to 2020-02-01T00:00:00Z\n");

        CliRun group = run("spend", "--group-by", "planet");
        assertThat(group.code()).isEqualTo(1);
        assertThat(group.err()).isEqualTo("tollgate spend: HTTP 400: group_by must be one of key, team, user, model,"
                + " deployment, day.\n");
    }
}
