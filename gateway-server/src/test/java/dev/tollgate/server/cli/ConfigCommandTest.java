package dev.tollgate.server.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The config commands against a stand-in for the config routes of the admin API. */
class ConfigCommandTest {
    private static final String KEY = "admin-key-for-config-tests";
    private static final String HASH = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private final WireMockServer admin = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private Map<String, String> env;

    @BeforeEach
    void start() {
        admin.start();
        env = Map.of(Connection.URL_ENV, admin.baseUrl(), Connection.KEY_ENV, KEY);
    }

    @AfterEach
    void stop() {
        admin.stop();
    }

    private CliRun run(String... args) throws InterruptedException {
        return CliRun.run(env, args);
    }

    @Test
    void showPrintsTheRunningVersionAndSendsTheAdminKeyAsABearerToken() throws Exception {
        admin.stubFor(get("/admin/config").withHeader("Authorization", equalTo("Bearer " + KEY)).willReturn(okJson("""
                {"version":3,"hash":"%s","applied_at":"2026-11-28T05:00:00.250Z","actor":"file watch",
                 "source":"/etc/tollgate.yaml","restart_required":["server.listen","server.threads"]}"""
                .formatted(HASH))));
        CliRun run = run("config", "show");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("""
                version           3
                hash              %s
                applied at        2026-11-28T05:00:00Z
                by                file watch
                source            /etc/tollgate.yaml
                restart required  server.listen, server.threads
                """.formatted(HASH));
        assertThat(run.err()).isEmpty();
    }

    @Test
    void versionsAreATableInTheGatewaysOrderWithTheCurrentOneMarked() throws Exception {
        admin.stubFor(get("/admin/config/versions").willReturn(okJson("""
                {"data":[
                 {"version":12,"hash":"%s","applied_at":"2026-11-28T06:00:00Z","actor":"admin","note":"rollback to 1",
                  "current":true},
                 {"version":2,"hash":"%s","applied_at":"2026-11-28T05:30:00Z","actor":"file watch","note":null,
                  "current":false}]}""".formatted(HASH, HASH))));
        CliRun run = run("config", "versions");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("""
                VERSION       APPLIED AT            BY          HASH                 NOTE
                12 (current)  2026-11-28T06:00:00Z  admin       sha256:9f86d081884c  rollback to 1
                2             2026-11-28T05:30:00Z  file watch  sha256:9f86d081884c  -
                """);
    }

    @Test
    void jsonPrintsTheRepliesAsTheyCame() throws Exception {
        String body = "{\"data\":[{\"version\":1,\"hash\":\"" + HASH + "\",\"current\":true,\"extra\":{\"a\":1}}]}";
        admin.stubFor(get("/admin/config/versions").willReturn(okJson(body)));
        CliRun run = run("config", "versions", "--json");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo(body + "\n");
    }

    @Test
    void showVersionPrintsItsYaml() throws Exception {
        admin.stubFor(get("/admin/config/versions/2").willReturn(okJson("""
                {"version":2,"hash":"%s","applied_at":"2026-11-28T05:30:00Z","actor":"file watch","note":null,
                 "current":false,"yaml":"providers:\\n  openai: { type: openai, api_key: \\"<redacted>\\" }\\n"}"""
                .formatted(HASH))));
        CliRun run = run("config", "show-version", "2");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("providers:\n  openai: { type: openai, api_key: \"<redacted>\" }\n");
    }

    @Test
    void diffPassesTheVersionsGivenAndPrintsTheGatewaysText() throws Exception {
        String diff = "--- version 1\n+++ version 3\n@@ -1 +1 @@\n-a: 1\n+a: 2\n";
        admin.stubFor(get(urlPathEqualTo("/admin/config/diff"))
                .willReturn(aResponse().withHeader("Content-Type", "text/plain").withBody(diff)));
        CliRun both = run("config", "diff", "1", "3");
        assertThat(both.code()).isZero();
        assertThat(both.out()).isEqualTo(diff);
        admin.verify(getRequestedFor(urlEqualTo("/admin/config/diff?from=1&to=3")));
        assertThat(run("config", "diff").code()).isZero();
        admin.verify(getRequestedFor(urlEqualTo("/admin/config/diff")));
        assertThat(run("config", "diff", "2").code()).isZero();
        admin.verify(getRequestedFor(urlEqualTo("/admin/config/diff?from=2")));

        admin.stubFor(get(urlPathEqualTo("/admin/config/diff"))
                .willReturn(aResponse().withHeader("Content-Type", "text/plain").withBody("")));
        CliRun none = run("config", "diff", "3", "3");
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).isEqualTo("no differences\n");
    }

    @Test
    void reloadShowsTheDiffWhatWaitsForARestartAndWarnings() throws Exception {
        admin.stubFor(post("/admin/config/reload").willReturn(okJson("""
                {"applied":true,"version":4,"diff":"-a: 1\\n+a: 2\\n","restart_required":["server.listen"],
                 "warnings":[{"file":"tollgate.yaml","line":7,"column":3,"path":"providers.spare",
                  "message":"provider 'spare' is not used by any model",
                  "text":"tollgate.yaml:7:3: providers.spare: provider 'spare' is not used by any model"}]}""")));
        CliRun run = run("config", "reload");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("""
                applied: version 4 is running

                -a: 1
                +a: 2

                restart required: server.listen (these settings change at the next restart)
                """);
        assertThat(run.err())
                .isEqualTo("warning: tollgate.yaml:7:3: providers.spare: provider 'spare' is not used by any model\n");
    }

    @Test
    void reloadOfAnUnchangedFileSaysSo() throws Exception {
        admin.stubFor(post("/admin/config/reload").willReturn(okJson(
                "{\"applied\":false,\"reason\":\"unchanged\",\"version\":3}")));
        CliRun run = run("config", "reload");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("not applied (unchanged): version 3 keeps running\n");
    }

    @Test
    void aDryRunAsksForOneAndAppliesNothing() throws Exception {
        admin.stubFor(post("/admin/config/reload?dry_run=true").willReturn(okJson("""
                {"applied":false,"dry_run":true,"valid":true,"diff":"+b: 1\\n","restart_required":[],
                 "warnings":[]}""")));
        CliRun run = run("config", "reload", "--dry-run");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("dry run: the config is valid; nothing was applied\n\n+b: 1\n");
        admin.verify(postRequestedFor(urlEqualTo("/admin/config/reload?dry_run=true")));
    }

    @Test
    void anInvalidConfigPrintsEveryProblemAndSaysTheRunningOneStays() throws Exception {
        admin.stubFor(post("/admin/config/reload").willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"error":{"message":"The config file is invalid; version 3 keeps running.","status":422,
                         "problems":[
                          {"file":"/etc/tollgate.yaml","line":4,"path":"models.fast",
                           "message":"unknown provider 'opnai'",
                           "text":"/etc/tollgate.yaml:4:5: models.fast: unknown provider 'opnai' (openai?)"},
                          {"file":"/etc/tollgate.yaml","line":9,"path":"keys[0].hash",
                           "message":"expected sha256",
                           "text":"/etc/tollgate.yaml:9:7: keys[0].hash: expected sha256"}]}}""")));
        CliRun run = run("config", "reload");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("""
                tollgate config reload: HTTP 422: The config file is invalid; version 3 keeps running.
                  /etc/tollgate.yaml:4:5: models.fast: unknown provider 'opnai' (openai?)
                  /etc/tollgate.yaml:9:7: keys[0].hash: expected sha256
                2 problems; the running config is unchanged
                """);
    }

    @Test
    void rollbackSaysWhichVersionRunsAndWhenTheFileCouldNotFollow() throws Exception {
        admin.stubFor(post("/admin/config/versions/2/rollback").willReturn(okJson(
                "{\"applied\":true,\"version\":5,\"rolled_back_to\":2,\"file_updated\":true}")));
        CliRun run = run("config", "rollback", "2");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("rolled back to version 2: it runs as version 5\n");
        assertThat(run.err()).isEmpty();

        admin.stubFor(post("/admin/config/versions/2/rollback").willReturn(okJson("""
                {"applied":true,"version":6,"rolled_back_to":2,"file_updated":false,
                 "file_note":"/etc/tollgate.yaml is read-only"}""")));
        CliRun stale = run("config", "rollback", "2");
        assertThat(stale.code()).isZero();
        assertThat(stale.err()).isEqualTo("warning: the config file was not rewritten: /etc/tollgate.yaml is read-only."
                + " A reload of the file (or the file watch) would apply the file's content again.\n");
    }

    @Test
    void anUnknownVersionIsTheGatewaysRefusal() throws Exception {
        admin.stubFor(post("/admin/config/versions/9/rollback").willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"No config version 9.\",\"status\":404}}")));
        CliRun run = run("config", "rollback", "9");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("tollgate config rollback: HTTP 404: No config version 9.\n");
    }

    @Test
    void aRefusedAdminKeyIsNamedByWhereItCameFrom() throws Exception {
        admin.stubFor(get("/admin/config").willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"A valid admin key is required.\",\"status\":401}}")));
        CliRun run = run("config", "show");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("tollgate config show: HTTP 401: A valid admin key is required. The admin "
                + "key in TOLLGATE_ADMIN_KEY is not one of the gateway's admin.keys.\n");
    }

    @Test
    void aServerThatIsNotTheAdminApiIsSaidToBeOne() throws Exception {
        admin.stubFor(get("/admin/config").willReturn(aResponse().withStatus(404).withBody("<html>nope</html>")));
        CliRun error = run("config", "show");
        assertThat(error.code()).isEqualTo(1);
        assertThat(error.err()).isEqualTo("tollgate config show: " + admin.baseUrl() + " answered 404 without the "
                + "admin API's error body: is it the gateway's admin address (server.admin_listen)?\n");
        admin.stubFor(get("/admin/config/versions").willReturn(aResponse().withStatus(200).withBody("<html/>")));
        CliRun page = run("config", "versions");
        assertThat(page.code()).isEqualTo(1);
        assertThat(page.err()).contains("/admin/config/versions answered 200 with a body that is not JSON");
    }

    @Test
    void noAnswerExits3SayingWhereItLookedAndHowToPointElsewhere() throws Exception {
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        CliRun refused = run("config", "versions", "--admin", "http://127.0.0.1:" + closed + "/");
        assertThat(refused.code()).isEqualTo(3);
        assertThat(refused.err()).isEqualTo("tollgate config versions: cannot reach the admin API at http://127.0.0.1:"
                + closed + ": connection refused. Is the gateway running, and is that its admin address "
                + "(server.admin_listen)? Point at it with --admin URL or $TOLLGATE_ADMIN_URL.\n");

        admin.stubFor(get("/admin/config").willReturn(okJson("{}").withFixedDelay(2_000)));
        CliRun slow = run("config", "show", "--timeout", "200ms");
        assertThat(slow.code()).isEqualTo(3);
        assertThat(slow.err()).isEqualTo("tollgate config show: cannot reach the admin API at " + admin.baseUrl()
                + ": connected, but no answer within 200ms (a longer --timeout may help a busy gateway)\n");
    }
}
