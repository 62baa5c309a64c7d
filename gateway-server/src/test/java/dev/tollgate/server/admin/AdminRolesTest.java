package dev.tollgate.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.Tollgate;
import dev.tollgate.server.testing.RunningGateway;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may call what on the admin API, through a running gateway: every admin route with no key, a wrong key, a
 * data-plane key, a viewer key and an admin key; the refusals in the audit trail; and the data plane, which no admin
 * key opens.
 */
class AdminRolesTest {
    private static final String ADMIN = "admin-key-for-role-tests";
    private static final String VIEWER = "viewer-key-for-role-tests";
    private static final String APP = "tg-app-key-for-role-tests";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Every admin route, with a body where it takes one. {@link #theRouteListIsTheOneTheApiAnswers} holds it to the
     * methods {@link AdminApi} answers on each path, so a route added there without a line here fails.
     */
    private static final List<Call> ROUTES = List.of(
            new Call("GET", "/admin/keys", null),
            new Call("POST", "/admin/keys", "{\"name\":\"made-by-matrix\"}"),
            new Call("GET", "/admin/keys/app", null),
            new Call("POST", "/admin/keys/app/revoke", ""),
            new Call("POST", "/admin/keys/app/enable", ""),
            new Call("GET", "/admin/spend", null),
            new Call("GET", "/admin/budgets", null),
            new Call("GET", "/admin/cache", null),
            new Call("DELETE", "/admin/cache", null),
            new Call("GET", "/admin/config", null),
            new Call("GET", "/admin/config/versions", null),
            new Call("GET", "/admin/config/versions/1", null),
            new Call("GET", "/admin/config/diff", null),
            new Call("POST", "/admin/config/reload?dry_run=true", ""),
            new Call("POST", "/admin/config/reload", ""),
            new Call("POST", "/admin/config/versions/1/rollback", ""),
            new Call("GET", "/admin/reviews", null),
            new Call("GET", "/admin/reviews/export", null),
            new Call("GET", "/admin/feedback", null),
            new Call("GET", "/admin/prompts", null),
            new Call("GET", "/admin/prompts/greet", null),
            new Call("GET", "/admin/prompts/greet/versions/1", null),
            new Call("POST", "/admin/prompts/greet/render", "{\"version\":1}"),
            new Call("GET", "/admin/prompts/greet/diff", null),
            new Call("PUT", "/admin/prompts/greet/labels/staging", "{\"version\":1}"),
            new Call("GET", "/admin/experiments", null),
            new Call("GET", "/admin/experiments/tone", null),
            new Call("POST", "/admin/experiments/tone/end", "{\"winner\":\"a\"}"),
            new Call("GET", "/admin/evaluations", null),
            new Call("GET", "/admin/evaluations/export", null),
            new Call("POST", "/admin/evaluations/bias/run", "{\"evaluator\":\"fairness\"}"));

    /** The requests a viewer may send: they change nothing. Written out here, not taken from the code under test. */
    private static final Set<String> VIEWER_MAY = Set.of("POST /admin/config/reload?dry_run=true",
            "POST /admin/prompts/greet/render");

    private RunningGateway gateway;

    private record Call(String method, String path, String body) {
        boolean readOnly() {
            return method.equals("GET") || VIEWER_MAY.contains(this.toString());
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @BeforeEach
    void start() throws Exception {
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, watch_config: false,
                          audit_log: audit/trail.jsonl }
                admin:
                  keys:
                    - "%s"
                    - { hash: "%s", role: viewer, name: ci-readonly }
                keys:
                  - { name: app, hash: "%s" }
                providers:
                  demo: { type: mock }
                models:
                  chat: { deployments: [ { provider: demo } ] }
                prompts:
                  greet:
                    labels: { production: 1, staging: 2 }
                    versions: { 1: { system: "Hello." }, 2: { system: "Hi." } }
                experiments:
                  tone:
                    prompt: greet
                    arms: { a: { version: 1, weight: 50 }, b: { version: 2, weight: 50 } }
                """.formatted(KeyHash.of(ADMIN), KeyHash.of(VIEWER), KeyHash.of(APP)), Map.of());
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void theRouteListIsTheOneTheApiAnswers() {
        Map<String, Set<HttpMethod>> listed = new LinkedHashMap<>();
        for (Call call : ROUTES) {
            listed.computeIfAbsent(new QueryStringDecoder(call.path()).path(), p -> new TreeSet<>())
                    .add(HttpMethod.valueOf(call.method()));
        }
        listed.forEach((path, methods) -> assertThat(AdminApi.methods(parts(path))).as(path)
                .containsExactlyInAnyOrderElementsOf(methods));
        // Every first segment the API answers is in the list.
        Set<String> sections = listed.keySet().stream().map(p -> parts(p)[0]).collect(Collectors.toSet());
        assertThat(sections).containsExactlyInAnyOrder("keys", "spend", "budgets", "cache", "config", "reviews",
                "feedback", "prompts", "experiments", "evaluations");
    }

    @Test
    void everyRouteAnswersEachCredentialAsItsRoleAllows() throws Exception {
        List<String> wrong = new ArrayList<>();
        int refusals = 0;
        for (Call call : ROUTES) {
            for (String key : new String[] {null, "not-a-key", APP}) {
                HttpResponse<String> answer = send(call, key);
                refusals++;
                if (answer.statusCode() != 401 || !code(answer).equals("unauthorized")) {
                    wrong.add(call + " with " + (key == null ? "no key" : key) + ": " + answer.statusCode());
                }
            }
            HttpResponse<String> viewer = send(call, VIEWER);
            if (call.readOnly()) {
                if (viewer.statusCode() == 401 || viewer.statusCode() == 403) {
                    wrong.add(call + " as viewer: " + viewer.statusCode() + " " + viewer.body());
                }
            } else {
                refusals++;
                if (viewer.statusCode() != 403 || !code(viewer).equals("forbidden")) {
                    wrong.add(call + " as viewer: " + viewer.statusCode() + " (expected 403 forbidden)");
                }
            }
            HttpResponse<String> admin = send(call, ADMIN);
            if (admin.statusCode() == 401 || admin.statusCode() == 403) {
                wrong.add(call + " as admin: " + admin.statusCode() + " " + admin.body());
            }
        }
        assertThat(wrong).isEmpty();
        // A viewer changed nothing: the key it tried to create does not exist (the admin's does).
        assertThat(send(new Call("GET", "/admin/keys", null), ADMIN).body()).containsOnlyOnce("made-by-matrix");

        // Every refusal is in the trail: a few lines a second per address, the rest counted.
        List<JsonNode> trail = awaitRefusals(refusals);
        assertThat(trail).filteredOn(l -> l.path("action").asText().equals("admin.refused"))
                .hasSizeLessThan(refusals)
                .allSatisfy(l -> assertThat(l.path("remote").asText()).isEqualTo("127.0.0.1"))
                .first().satisfies(l -> {
                    assertThat(l.path("actor").asText()).isEqualTo("unknown");
                    assertThat(l.path("method").asText()).isEqualTo("GET");
                    assertThat(l.path("route").asText()).isEqualTo("/admin/keys");
                    assertThat(l.path("status").asInt()).isEqualTo(401);
                });
        assertThat(String.join("\n", Files.readAllLines(trail()))).doesNotContain(APP, VIEWER, ADMIN);
    }

    @Test
    void aViewersRefusalIsAuditedWithItsName() throws Exception {
        assertThat(send(new Call("DELETE", "/admin/cache", null), VIEWER).statusCode()).isEqualTo(403);
        assertThat(awaitRefusals(1)).singleElement().satisfies(l -> {
            assertThat(l.path("action").asText()).isEqualTo("admin.refused");
            assertThat(l.path("actor").asText()).isEqualTo("ci-readonly");
            assertThat(l.path("method").asText()).isEqualTo("DELETE");
            assertThat(l.path("route").asText()).isEqualTo("/admin/cache");
            assertThat(l.path("status").asInt()).isEqualTo(403);
        });
    }

    @Test
    void aNamedAdminKeyIsTheActorOfItsChangesAndTheAppliedLineNamesTheSections() throws Exception {
        gateway.writeConfig(Files.readString(gateway.configFile()).replace("chat: {", "chat2: {"));
        HttpResponse<String> reload = send(new Call("POST", "/admin/config/reload", ""), ADMIN);
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        JsonNode applied = lines().stream().filter(l -> l.path("action").asText().equals("config.applied"))
                .findFirst().orElseThrow();
        assertThat(applied.path("actor").asText()).isEqualTo("admin:" + KeyHash.of(ADMIN).hex().substring(0, 12));
        assertThat(applied.path("sections").asText()).isEqualTo("models");
    }

    @Test
    void noAdminKeyOpensTheDataPlane() throws Exception {
        String chat = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(chat(chat, APP).statusCode()).isEqualTo(200);
        assertThat(chat(chat, ADMIN).statusCode()).isEqualTo(401);
        assertThat(chat(chat, VIEWER).statusCode()).isEqualTo(401);
        // Nor does the proxy port have admin routes, whatever the key.
        assertThat(get(gateway.url("/admin/keys"), ADMIN).statusCode()).isEqualTo(404);
        assertThat(get(gateway.url("/admin/keys"), APP).statusCode()).isEqualTo(404);
    }

    @Test
    void noSpellingOfAChangeGetsAViewerPastItsRole() throws Exception {
        List<Call> tricks = List.of(
                // Dry runs the reload does not read as one: refused, never applied.
                new Call("POST", "/admin/config/reload?dry_run=TRUE", ""),
                new Call("POST", "/admin/config/reload?dry_run=1", ""),
                new Call("POST", "/admin/config/reload?dry_run=yes", ""),
                new Call("POST", "/admin/config/reload?dry_run=false", ""),
                new Call("POST", "/admin/config/reload?dry_run=false&dry_run=true", ""),
                new Call("POST", "/admin/config/reload?Dry_Run=true", ""),
                new Call("POST", "/admin/config/reload?dry_run=true%00", ""),
                new Call("POST", "/admin/config/reload;dry_run=true", ""),
                new Call("POST", "/admin/config/reload/?dry_run=true", ""),
                new Call("POST", "/admin/config/%72eload", ""),
                // Encoded slashes, dot segments, doubled and trailing slashes, case.
                new Call("POST", "/admin/keys%2Fapp%2Frevoke", ""),
                new Call("POST", "/admin/keys/app/revoke/", ""),
                new Call("POST", "/admin//keys/app/revoke", ""),
                new Call("POST", "/admin/keys/./app/revoke", ""),
                new Call("POST", "/admin/KEYS/app/revoke", ""),
                new Call("POST", "/admin/prompts/greet/render/../labels/staging", "{\"version\":1}"),
                new Call("PUT", "/admin/prompts/greet%2Flabels%2Fstaging", "{\"version\":1}"),
                new Call("POST", "/admin/config/versions/1/rollback;dry_run=true", ""),
                // Other methods on the routes that change something.
                new Call("HEAD", "/admin/keys/app/revoke", null),
                new Call("OPTIONS", "/admin/cache", null),
                new Call("post", "/admin/keys/app/revoke", ""),
                new Call("GET", "/admin/keys/app/revoke", null),
                new Call("DELETE", "/admin/cache?model=", null));
        List<String> wrong = new ArrayList<>();
        for (Call call : tricks) {
            var request = HttpRequest.newBuilder(gateway.adminUrl(call.path())).timeout(Duration.ofSeconds(20))
                    .header("authorization", "Bearer " + VIEWER)
                    // Honoured by some frameworks; not here.
                    .header("x-http-method-override", "GET")
                    .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(call.body()));
            int status = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            if (status < 400 || status >= 500) {
                wrong.add(call + ": " + status);
            }
        }
        assertThat(wrong).isEmpty();
        JsonNode config = JSON.readTree(send(new Call("GET", "/admin/config", null), ADMIN).body());
        assertThat(config.path("version").asInt()).isEqualTo(1);
        assertThat(lines()).noneMatch(l -> l.path("stage").asText().equals("intent"));
    }

    @Test
    void aRuntimeKeyListedAsAnAdminKeyLaterOpensNoAdminRoute() throws Exception {
        // The config check sees only the file's keys; a key made through the API lives in the ledger.
        HttpResponse<String> created = send(new Call("POST", "/admin/keys", "{\"name\":\"reused\"}"), ADMIN);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String reused = JSON.readTree(created.body()).path("key").asText();
        gateway.writeConfig(Files.readString(gateway.configFile()).replace("admin:\n  keys:\n",
                "admin:\n  keys:\n    - { hash: \"" + KeyHash.of(reused) + "\", name: reused-app-key }\n"));
        HttpResponse<String> reload = send(new Call("POST", "/admin/config/reload", ""), ADMIN);
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);

        HttpResponse<String> asAdmin = send(new Call("GET", "/admin/keys", null), reused);
        assertThat(asAdmin.statusCode()).as(asAdmin.body()).isEqualTo(401);
        assertThat(code(asAdmin)).isEqualTo("unauthorized");
        assertThat(send(new Call("POST", "/admin/keys", "{\"name\":\"by-app\"}"), reused).statusCode())
                .isEqualTo(401);
        // It is still the application's key on the data plane.
        assertThat(chat("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                reused).statusCode()).isEqualTo(200);
    }

    @Test
    void theGatewayRefusesToStartWithTheAdminApiOnAndNoKey() {
        assertThatThrownBy(() -> RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 0.0.0.0:0 }
                admin: { enabled: true }
                providers:
                  demo: { type: mock }
                models:
                  chat: { deployments: [ { provider: demo } ] }
                """, Map.of())).isInstanceOf(Tollgate.InvalidConfigException.class)
                .hasMessageContaining("admin.enabled is true but admin.keys is empty");
    }

    @Test
    void withoutKeysTheApiIsOffButHealthAndMetricsServe() throws Exception {
        try (var open = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                admin: { enabled: false, keys: ["%s"] }
                providers:
                  demo: { type: mock }
                models:
                  chat: { deployments: [ { provider: demo } ] }
                """.formatted(KeyHash.of(ADMIN)), Map.of())) {
            HttpResponse<String> keys = get(open.adminUrl("/admin/keys"), ADMIN);
            assertThat(keys.statusCode()).isEqualTo(403);
            assertThat(code(keys)).isEqualTo("admin_api_off");
            assertThat(get(open.adminUrl("/healthz"), null).statusCode()).isEqualTo(200);
            assertThat(get(open.adminUrl("/metrics"), null).statusCode()).isEqualTo(200);
        }
    }

    private HttpResponse<String> send(Call call, String key) throws Exception {
        var request = HttpRequest.newBuilder(gateway.adminUrl(call.path())).timeout(Duration.ofSeconds(20))
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(call.body()));
        if (key != null) {
            request.header("authorization", "Bearer " + key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI uri, String key) throws Exception {
        var request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
        if (key != null) {
            request.header("authorization", "Bearer " + key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> chat(String body, String key) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(gateway.url("/v1/chat/completions")).timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> answer) throws Exception {
        return JSON.readTree(answer.body()).at("/error/code").asText();
    }

    private static String[] parts(String path) {
        return path.substring("/admin/".length()).split("/", -1);
    }

    private java.nio.file.Path trail() {
        return gateway.configFile().resolveSibling("audit/trail.jsonl");
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(trail())) {
            for (String line : Files.readAllLines(trail())) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    /**
     * The refusal lines once they account for {@code expected} refusals (lines plus suppressed counts, which are
     * written when an address's second ends).
     */
    private List<JsonNode> awaitRefusals(int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<JsonNode> refusals = lines().stream()
                    .filter(l -> l.path("action").asText().startsWith("admin.refused")).toList();
            int counted = refusals.stream().mapToInt(l -> l.path("action").asText().equals("admin.refused")
                    ? 1 : l.path("count").asInt()).sum();
            if (counted >= expected || System.nanoTime() > deadline) {
                assertThat(counted).isEqualTo(expected);
                return refusals;
            }
            Thread.sleep(50);
        }
    }
}
