package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.eval.BiasProbe;
import dev.tollgate.core.eval.BiasProbes;
import dev.tollgate.core.eval.Rubric;
import dev.tollgate.core.eval.Rubrics;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Online evaluation end to end, through a running gateway: sampled client requests are judged, re-asked, screened
 * and probed through the gateway's own proxy port by its internal key, the results land in the ledger and on
 * {@code /admin/evaluations} and {@code /metrics}, the calls are charged to {@code evaluation.team}, and none of it
 * slows or fails a client. The upstream is WireMock (client model {@code up-m}, judge {@code up-judge}, an Anthropic
 * model) or the built-in mock; judge replies are recorded outputs picked by a marker in the client's prompt.
 */
class EvaluationTest {
    static final String APP = "tg-eval-app-key";
    static final String OTHER = "tg-eval-other-key";
    static final String ADMIN = "eval-admin";
    static final String VIEWER = "eval-viewer";
    /** What a generated key looks like ({@code RawKeys}): the internal key is one, and must show nowhere. */
    static final Pattern RAW_KEY = Pattern.compile("tg-[0-9A-Za-z]{43}");
    static final Duration PATIENCE = Duration.ofSeconds(15);

    static WireMockServer upstream;

    @BeforeAll
    static void startUpstream() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop();
    }

    @BeforeEach
    void stubs() {
        upstream.resetAll();
        upstream.stubFor(client().atPriority(9).willReturn(json(openAi("The capital of France is Paris.", "stop"))));
        upstream.stubFor(client().atPriority(1).withRequestBody(containing("PII-please"))
                .willReturn(json(openAi("Write to jane.doe@example.com for help.", "stop"))));
        upstream.stubFor(judge().atPriority(9).willReturn(json(openAi(
                "{\"score\": 4, \"reason\": \"Mostly grounded in the context.\"}", "stop"))));
        upstream.stubFor(judge().atPriority(1).withRequestBody(containing("MARK-low")).willReturn(json(openAi(
                "{\"score\": 1, \"reason\": \"Invents a capital the context never names.\"}", "stop"))));
        upstream.stubFor(judge().atPriority(1).withRequestBody(containing("MARK-costly")).willReturn(json(openAi(
                "{\"score\": 5, \"reason\": \"Faithful.\"}", "stop", 11_980))));
        upstream.stubFor(judge().atPriority(1).withRequestBody(containing("MARK-malformed"))
                .willReturn(json(openAi("{\"score\": 4, \"reason\": \"cut", "length"))));
        upstream.stubFor(judge().atPriority(1).withRequestBody(containing("MARK-refusal"))
                .willReturn(json(openAi("I'm sorry, but I can't evaluate this content.", "stop"))));
        upstream.stubFor(judge().atPriority(1).withRequestBody(containing("MARK-filter"))
                .willReturn(json(openAi("", "content_filter"))));
        upstream.stubFor(judge().atPriority(1).withRequestBody(containing("MARK-hang"))
                .willReturn(json(openAi("{\"score\": 5, \"reason\": \"late\"}", "stop")).withFixedDelay(20_000)));
        upstream.stubFor(post(urlEqualTo("/v1/messages")).willReturn(json("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-up",
                 "content":[{"type":"text","text":"Bonjour from Claude."}],"stop_reason":"end_turn",
                 "stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":4}}""")));
    }

    private static MappingBuilder client() {
        return post(urlEqualTo("/v1/chat/completions")).withRequestBody(matchingJsonPath("$.model", equalTo("up-m")));
    }

    private static MappingBuilder judge() {
        return post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("up-judge")));
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("content-type", "application/json").withBody(body);
    }

    static String openAi(String content, String finish) {
        return openAi(content, finish, 100);
    }

    static String openAi(String content, String finish, int promptTokens) {
        ObjectNode root = Http.JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
                .put("created", 1).put("model", "up");
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", finish);
        choice.putObject("message").put("role", "assistant").put("content", content);
        root.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", 20)
                .put("total_tokens", promptTokens + 20);
        return root.toString();
    }

    /** The config: WireMock and mock models, two teams, the given evaluation section and extra top-level YAML. */
    static String config(String evaluation, String extra) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                admin:
                  keys:
                    - "%s"
                    - { hash: "%s", role: viewer, name: viewer }
                providers:
                  up: { type: openai, base_url: http://127.0.0.1:%d/v1, api_key: sk-upstream }
                  claude: { type: anthropic, base_url: http://127.0.0.1:%d, api_key: sk-ant-upstream }
                  mock: { type: mock, mock: { answer_words: 6 } }
                prices:
                  up/up-judge: { input: 100, output: 100 }
                  up/up-m: { input: 1, output: 1 }
                teams:
                  quality: { budget: { usd: 50, period: monthly } }
                  quality2: {}
                  apps: {}
                keys:
                  - { name: app, hash: "%s", team: apps }
                  - { name: other, hash: "%s", team: apps }
                models:
                  m: { deployments: [ { provider: up, model: up-m } ] }
                  judge: { deployments: [ { provider: up, model: up-judge } ] }
                  claude-m: { deployments: [ { provider: claude, model: claude-up } ] }
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                  fast2: { deployments: [ { provider: mock, model: mock-2 } ] }
                  mjudge: { deployments: [ { provider: mock, model: mock-judge } ] }
                  embed: { mode: embeddings, deployments: [ { provider: mock, model: mock-embed } ] }
                tiers: { premium: [m] }
                %s
                evaluation:
                %s
                """.formatted(KeyHash.of(ADMIN), KeyHash.of(VIEWER), upstream.port(), upstream.port(),
                KeyHash.of(APP), KeyHash.of(OTHER), extra, evaluation.indent(2));
    }

    /** A chat request answered 200; its request id. */
    static String chat(RunningGateway g, String key, String model, String system, String user) throws Exception {
        HttpResponse<String> r = Http.post(g.url("/v1/chat/completions"), chatBody(model, system, user),
                "authorization", "Bearer " + key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-request-id").orElseThrow();
    }

    static String chatBody(String model, String system, String user) {
        ObjectNode root = Http.JSON.createObjectNode().put("model", model);
        var messages = root.putArray("messages");
        if (system != null) {
            messages.addObject().put("role", "system").put("content", system);
        }
        messages.addObject().put("role", "user").put("content", user);
        return root.toString();
    }

    static HttpResponse<String> admin(RunningGateway g, String path) throws Exception {
        return Http.get(g.adminUrl(path), "authorization", "Bearer " + ADMIN);
    }

    static JsonNode results(RunningGateway g, String query) throws Exception {
        HttpResponse<String> r = admin(g, "/admin/evaluations?limit=500" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.json(r).at("/evaluations");
    }

    /** The results once {@code count} match {@code which} (they are scored and written in the background). */
    static List<JsonNode> awaitResults(RunningGateway g, String query, int count, Predicate<JsonNode> which)
            throws Exception {
        long until = System.nanoTime() + PATIENCE.toNanos();
        List<JsonNode> found = List.of();
        while (System.nanoTime() < until) {
            found = new ArrayList<>();
            for (JsonNode r : results(g, query)) {
                if (which.test(r)) {
                    found.add(r);
                }
            }
            if (found.size() >= count) {
                return found;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("only " + found.size() + " of " + count + " results: " + found);
    }

    static JsonNode awaitResult(RunningGateway g, String requestId) throws Exception {
        return awaitResults(g, "", 1, r -> r.at("/request_id").asText().equals(requestId)).getFirst();
    }

    static String metrics(RunningGateway g) throws Exception {
        return Http.get(g.adminUrl("/metrics")).body();
    }

    /** The value of the metric line that starts with {@code series}, or 0 when there is none. */
    static double metric(RunningGateway g, String series) throws Exception {
        for (String line : metrics(g).split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    /** Key, team and cost of the ledger's spend rows of the evaluation calls made for {@code requestId}. */
    record SpendRow(String requestId, String key, String team, long costNanos, int status) {}

    static List<SpendRow> evaluationSpend(RunningGateway g, String requestId, int count) throws Exception {
        long until = System.nanoTime() + PATIENCE.toNanos();
        List<SpendRow> rows = List.of();
        while (System.nanoTime() < until) {
            rows = new ArrayList<>();
            try (var db = DriverManager.getConnection("jdbc:sqlite:" + g.configFile().resolveSibling("ledger.db"));
                 var select = db.prepareStatement("SELECT client_request_id, key_name, team, cost_nanos, status "
                         + "FROM spend WHERE client_request_id LIKE ? ORDER BY client_request_id")) {
                select.setString(1, "eval-%-" + requestId);
                try (var rs = select.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new SpendRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getInt(5)));
                    }
                }
            }
            if (rows.size() >= count) {
                return rows;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("only " + rows + " spend rows for the evaluation of " + requestId);
    }

    static List<LoggedRequest> judgeCalls() {
        return upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("up-judge"))));
    }

    static final String FAITH = """
            team: quality
            evaluators:
              faith:
                type: judge
                model: judge
                rubric: faithfulness
                sample_rate: 1
                models: [m]
            """;

    @Test
    void recordedJudgeRepliesBecomeScoredUnparseableAndRefusedResultsAndMetrics() throws Exception {
        String prompts = """
                prompts:
                  capital:
                    versions:
                      1: { messages: [ { role: user, content: "Capital of {{country}}? MARK-valid" } ] }
                """;
        try (var g = RunningGateway.start(config(FAITH, prompts), Map.of())) {
            String context = "You answer from this context only: France's capital is Paris.";
            Map<String, String> ids = new HashMap<>();
            for (String mark : List.of("MARK-low", "MARK-malformed", "MARK-refusal", "MARK-filter")) {
                ids.put(mark, chat(g, APP, "m", context, "What is the capital of France? " + mark));
            }
            ids.put("tier", chat(g, APP, "tier:premium", context, "Tiered question"));
            ObjectNode body = (ObjectNode) Http.JSON.readTree(chatBody("m", null, "ignored"));
            body.remove("messages");
            body.putObject("prompt").put("id", "capital").putObject("variables").put("country", "France");
            HttpResponse<String> prompted = Http.post(g.url("/v1/chat/completions"), body.toString(),
                    "authorization", "Bearer " + APP);
            assertThat(prompted.statusCode()).as(prompted.body()).isEqualTo(200);
            ids.put("prompt", prompted.headers().firstValue("x-request-id").orElseThrow());

            JsonNode low = awaitResult(g, ids.get("MARK-low"));
            assertThat(low.at("/outcome").asText()).isEqualTo("scored");
            assertThat(low.at("/score").asDouble()).isZero();
            assertThat(low.at("/flagged").asBoolean()).isTrue();
            assertThat(low.at("/rationale").asText()).isEqualTo("Invents a capital the context never names.");
            assertThat(low.at("/evaluator").asText()).isEqualTo("faith");
            assertThat(low.at("/kind").asText()).isEqualTo("judge");
            assertThat(low.at("/rubric").asText()).isEqualTo("faithfulness");
            assertThat(low.at("/model").asText()).isEqualTo("m");
            assertThat(low.at("/key").asText()).isEqualTo("app");
            assertThat(low.at("/team").asText()).isEqualTo("apps");
            assertThat(low.at("/answer").asText()).isEqualTo("The capital of France is Paris.");
            assertThat(low.at("/cost_usd").asDouble()).isPositive();

            JsonNode malformed = awaitResult(g, ids.get("MARK-malformed"));
            assertThat(malformed.at("/outcome").asText()).isEqualTo("unparseable");
            assertThat(malformed.at("/score").isNull()).isTrue();
            assertThat(malformed.at("/flagged").asBoolean()).isFalse();
            assertThat(malformed.at("/detail").asText()).isNotEmpty();
            JsonNode refusal = awaitResult(g, ids.get("MARK-refusal"));
            assertThat(refusal.at("/outcome").asText()).isEqualTo("refused");
            assertThat(refusal.at("/score").isNull()).isTrue();
            JsonNode filtered = awaitResult(g, ids.get("MARK-filter"));
            assertThat(filtered.at("/outcome").asText()).isEqualTo("refused");
            assertThat(filtered.at("/detail").asText()).isEqualTo("content_filter");

            JsonNode tiered = awaitResult(g, ids.get("tier"));
            assertThat(tiered.at("/outcome").asText()).isEqualTo("scored");
            assertThat(tiered.at("/score").asDouble()).isEqualTo(0.75);
            assertThat(tiered.at("/flagged").asBoolean()).isFalse();
            assertThat(tiered.at("/tier").asText()).isEqualTo("premium");
            JsonNode versioned = awaitResult(g, ids.get("prompt"));
            assertThat(versioned.at("/prompt_id").asText()).isEqualTo("capital");
            assertThat(versioned.at("/prompt_version").asInt()).isEqualTo(1);

            // The judge call as the upstream received it: routed to the judge group's deployment, strict schema,
            // temperature 0, the shipped rubric as system text, the material between marked lines.
            LoggedRequest call = judgeCalls().stream().filter(r -> r.getBodyAsString().contains("MARK-low"))
                    .findFirst().orElseThrow();
            assertThat(call.getHeader("authorization")).isEqualTo("Bearer sk-upstream");
            JsonNode sent = Http.JSON.readTree(call.getBodyAsString());
            assertThat(sent.at("/temperature").asDouble()).isZero();
            assertThat(sent.at("/temperature").isMissingNode()).isFalse();
            assertThat(sent.at("/stream").asBoolean()).isFalse();
            assertThat(sent.at("/response_format/type").asText()).isEqualTo("json_schema");
            assertThat(sent.at("/response_format/json_schema/strict").asBoolean()).isTrue();
            assertThat(sent.at("/response_format/json_schema/schema/required").toString())
                    .isEqualTo("[\"score\",\"reason\"]");
            assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
            assertThat(sent.at("/messages/0/content").asText()).isEqualTo(Rubrics.text(Rubric.Shipped.FAITHFULNESS));
            String material = sent.at("/messages/1/content").asText();
            var boundary = Pattern.compile("\\[BEGIN ANSWER ([0-9a-f]{16})]\n"
                    + "The capital of France is Paris.\n\\[END ANSWER \\1]").matcher(material);
            assertThat(boundary.find()).as(material).isTrue();
            assertThat(material).contains("[BEGIN CONTEXT " + boundary.group(1) + "]\n" + context)
                    .contains("What is the capital of France? MARK-low");

            // Through the gateway: the judge calls are in its access log under the internal key's name, with ids
            // that join them to the client's request; the key itself shows nowhere.
            String line = g.accessLine("eval-1-" + ids.get("MARK-low"));
            assertThat(line).contains("\"key\":\"tollgate-evaluation\"").contains("\"team\":\"quality\"");
            String everything = g.logs() + results(g, "") + admin(g, "/admin/evaluations/export").body()
                    + admin(g, "/admin/keys").body() + metrics(g);
            assertThat(RAW_KEY.matcher(everything).find()).isFalse();
            assertThat(admin(g, "/admin/keys").body()).doesNotContain("tollgate-evaluation");

            String labels = "evaluator=\"faith\",kind=\"judge\",outcome=\"%s\",rubric=\"faithfulness\"";
            assertThat(metric(g, "tollgate_evaluations_total{" + labels.formatted("scored") + "}")).isEqualTo(3);
            assertThat(metric(g, "tollgate_evaluations_total{" + labels.formatted("unparseable") + "}"))
                    .isEqualTo(1);
            assertThat(metric(g, "tollgate_evaluations_total{" + labels.formatted("refused") + "}")).isEqualTo(2);
            assertThat(metrics(g)).containsPattern("tollgate_evaluation_score_count\\{[^}]*evaluator=\"faith\""
                    + "[^}]*gen_ai_request_model=\"m\"[^}]*tier=\"premium\"[^}]*} 1");
        }
    }

    @Test
    void judgeSpendIsChargedToTheEvaluationTeamAndItsExhaustedBudgetFailsOnlyTheJudge() throws Exception {
        String tight = config(FAITH, "").replace("quality: { budget: { usd: 50, period: monthly } }",
                "quality: { budget: { usd: 1, period: monthly } }");
        try (var g = RunningGateway.start(tight, Map.of())) {
            String first = chat(g, APP, "m", null, "first question MARK-costly");
            JsonNode judged = awaitResult(g, first);
            assertThat(judged.at("/outcome").asText()).as(judged.toString()).isEqualTo("scored");
            // 12,000 tokens at $100 per million: $1.20, over the team's $1 once charged.
            assertThat(evaluationSpend(g, first, 1)).containsExactly(new SpendRow("eval-1-" + first,
                    "tollgate-evaluation", "quality", 1_200_000_000L, 200));
            assertThat(judged.at("/cost_usd").asDouble()).isEqualTo(1.2);
            JsonNode quality = null;
            for (JsonNode b : Http.json(admin(g, "/admin/budgets")).at("/data")) {
                if (b.at("/scope").asText().equals("team:quality")) {
                    quality = b;
                }
            }
            assertThat(quality).isNotNull();
            assertThat(quality.at("/spent_usd").asDouble()).as(quality.toString()).isEqualTo(1.2);

            String second = chat(g, OTHER, "m", null, "second question");
            JsonNode refused = awaitResult(g, second);
            assertThat(refused.at("/outcome").asText()).as(refused.toString()).isEqualTo("failed");
            assertThat(refused.at("/detail").asText()).isEqualTo("status 429 budget_exceeded");
            assertThat(refused.at("/score").isNull()).isTrue();
            assertThat(judgeCalls()).hasSize(1);
            // The clients of other teams never notice.
            for (int i = 0; i < 3; i++) {
                chat(g, APP, "m", null, "still served " + i);
            }
            assertThat(metric(g, "tollgate_evaluations_total{evaluator=\"faith\",kind=\"judge\",outcome=\"failed\","
                    + "rubric=\"faithfulness\"}")).isGreaterThanOrEqualTo(1);
        }
    }

    /**
     * The demo's shape: an open gateway (no keys) listening on every interface, the built-in mock answering both
     * the clients and the judge (it answers a json_schema response format with a verdict that reads), streamed and
     * whole answers alike.
     */
    @Test
    void onAnOpenDemoStyleGatewayTheBuiltInMockJudgesAndIsConsistent() throws Exception {
        String demo = """
                server: { listen: 0.0.0.0:0, admin_listen: 127.0.0.1:0 }
                admin: { keys: ["%s"] }
                providers:
                  demo: { type: mock, mock: { latency: 20ms, tokens_per_second: 400, chunks: 8 } }
                models:
                  demo-fast: { deployments: [ { provider: demo } ] }
                  demo-embed: { mode: embeddings, deployments: [ { provider: demo } ] }
                teams: { quality: {} }
                evaluation:
                  team: quality
                  evaluators:
                    helpful: { type: judge, model: demo-fast, rubric: helpfulness, sample_rate: 1 }
                    stable: { type: consistency, embedding_model: demo-embed, sample_rate: 1 }
                """.formatted(KeyHash.of(ADMIN));
        try (var g = RunningGateway.start(demo, Map.of())) {
            List<String> ids = new ArrayList<>();
            for (boolean stream : List.of(false, true)) {
                HttpResponse<String> r = Http.post(g.url("/v1/chat/completions"), chatBody("demo-fast", null,
                        "How do I reset my password?").replace("{", "{\"stream\":" + stream + ","));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                ids.add(r.headers().firstValue("x-request-id").orElseThrow());
            }
            for (String id : ids) {
                List<JsonNode> both = awaitResults(g, "", 2, r -> r.at("/request_id").asText().equals(id));
                for (JsonNode result : both) {
                    assertThat(result.at("/outcome").asText()).as(result.toString()).isEqualTo("scored");
                    assertThat(result.at("/model").asText()).isEqualTo("demo-fast");
                    assertThat(result.at("/answer").asText()).isNotEmpty();
                    if (result.at("/kind").asText().equals("consistency")) {
                        assertThat(result.at("/score").asDouble()).isCloseTo(1.0,
                                within(1e-6));
                    } else {
                        assertThat(result.at("/rubric").asText()).isEqualTo("helpfulness");
                        assertThat(result.at("/score").asDouble()).isBetween(0.0, 1.0);
                    }
                }
            }
            // The gateway's own calls are never sampled themselves: only the two client requests have results.
            Thread.sleep(300);
            assertThat(results(g, "")).hasSize(4);
            assertThat(g.accessLine("eval-1-" + ids.getFirst())).contains("\"key\":\"tollgate-evaluation\"")
                    .contains("\"team\":\"quality\"");
        }
    }

    @Test
    void theMocksDeterministicAnswersAreFullyConsistent() throws Exception {
        String evaluation = """
                team: quality
                evaluators:
                  stable: { type: consistency, samples: 2, embedding_model: embed, sample_rate: 1 }
                """;
        try (var g = RunningGateway.start(config(evaluation, ""), Map.of())) {
            String id = chat(g, APP, "fast", null, "Tell me about the sea");
            JsonNode result = awaitResult(g, id);
            assertThat(result.at("/outcome").asText()).as(result.toString()).isEqualTo("scored");
            assertThat(result.at("/kind").asText()).isEqualTo("consistency");
            assertThat(result.at("/score").asDouble()).isCloseTo(1.0, within(1e-6));
            assertThat(result.at("/flagged").asBoolean()).isFalse();
            // Two re-asks and one embeddings call, all charged to the evaluation team.
            List<SpendRow> rows = evaluationSpend(g, id, 3);
            assertThat(rows).extracting(SpendRow::team).containsOnly("quality");
            assertThat(rows).extracting(SpendRow::key).containsOnly("tollgate-evaluation");
        }
    }

    @Test
    void aModelThatAnswersDifferentlyEachTimeIsFlaggedAndReAsksNeverComeFromTheCache() throws Exception {
        String evaluation = """
                team: quality
                evaluators:
                  stable: { type: consistency, samples: 2, embedding_model: embed, sample_rate: 1, models: [m] }
                """;
        upstream.stubFor(client().atPriority(1).withRequestBody(containing("VARY")).inScenario("vary")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("second")
                .willReturn(json(openAi("Paris is the capital of France.", "stop"))));
        upstream.stubFor(client().atPriority(1).withRequestBody(containing("VARY")).inScenario("vary")
                .whenScenarioStateIs("second").willSetStateTo("third")
                .willReturn(json(openAi("Bananas are a yellow fruit rich in potassium.", "stop"))));
        upstream.stubFor(client().atPriority(1).withRequestBody(containing("VARY")).inScenario("vary")
                .whenScenarioStateIs("third")
                .willReturn(json(openAi("Quantum chromodynamics describes the strong force.", "stop"))));
        // Global: the evaluation team's re-asks and the client's request share one cache entry.
        String cache = "cache: { enabled: true, ttl: 10m, scope: global }";
        String question = chatBody("m", null, "VARY: what is the capital of France?").replace("{",
                "{\"temperature\":0,");
        try (var g = RunningGateway.start(config(evaluation, cache), Map.of())) {
            HttpResponse<String> asked = Http.post(g.url("/v1/chat/completions"), question, "authorization",
                    "Bearer " + APP);
            assertThat(asked.headers().firstValue("x-tollgate-cache")).contains("miss");
            String id = asked.headers().firstValue("x-request-id").orElseThrow();
            JsonNode result = awaitResult(g, id);
            assertThat(result.at("/outcome").asText()).as(result.toString()).isEqualTo("scored");
            assertThat(result.at("/score").asDouble()).isLessThan(0.8);
            assertThat(result.at("/flagged").asBoolean()).isTrue();
            assertThat(result.at("/answer").asText()).isEqualTo("Paris is the capital of France.");
            // The original and both re-asks reached the model: the cache, which holds the original, answered none.
            assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                    .withRequestBody(containing("VARY")))).hasSize(3);
            // Nor did they store their answers: a client repeating the request gets the original one.
            HttpResponse<String> again = Http.post(g.url("/v1/chat/completions"), question, "authorization",
                    "Bearer " + APP);
            assertThat(again.headers().firstValue("x-tollgate-cache")).contains("hit");
            assertThat(again.body()).contains("Paris is the capital of France.");
        }
    }

    @Test
    void theGuardrailEvaluatorFlagsALeakNoGuardrailBlocksAndNamesItWithoutTheData() throws Exception {
        String evaluation = """
                evaluators:
                  leaks: { type: guardrail, guardrails: [no-pii], sample_rate: 1 }
                """;
        String guardrails = """
                guardrails:
                  no-pii: { kind: pii, action: block, applies_to: output, types: [email] }
                """;
        try (var g = RunningGateway.start(config(evaluation, guardrails), Map.of())) {
            HttpResponse<String> r = Http.post(g.url("/v1/chat/completions"), chatBody("m", null, "PII-please"),
                    "authorization", "Bearer " + APP);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("jane.doe@example.com"); // attached nowhere: nothing blocked
            String id = r.headers().firstValue("x-request-id").orElseThrow();
            String clean = chat(g, APP, "m", null, "a clean question");

            JsonNode leak = awaitResult(g, id);
            assertThat(leak.at("/kind").asText()).isEqualTo("guardrail");
            assertThat(leak.at("/score").asDouble()).isZero();
            assertThat(leak.at("/flagged").asBoolean()).isTrue();
            assertThat(leak.at("/rationale").asText()).contains("no-pii").contains("pii").contains("[EMAIL]")
                    .doesNotContain("jane");
            assertThat(leak.at("/answer").asText()).isEqualTo("Write to [EMAIL] for help.");
            JsonNode fine = awaitResult(g, clean);
            assertThat(fine.at("/score").asDouble()).isEqualTo(1.0);
            assertThat(fine.at("/flagged").asBoolean()).isFalse();
            assertThat(admin(g, "/admin/evaluations/export").body()).doesNotContain("jane.doe");
            assertThat(judgeCalls()).isEmpty();
        }
    }

    @Test
    void feedbackIsRecordedAsTheFeedbackEvaluatorsNormalisedScore() throws Exception {
        String evaluation = """
                evaluators:
                  helpfulness: { type: feedback }
                """;
        try (var g = RunningGateway.start(config(evaluation, ""), Map.of())) {
            String id = chat(g, APP, "fast", null, "help me");
            HttpResponse<String> rated = Http.post(g.url("/v1/feedback"), "{\"request_id\":\"" + id
                    + "\",\"score\":2,\"comment\":\"meh, write to jane.doe@example.com\"}", "authorization",
                    "Bearer " + APP);
            assertThat(rated.statusCode()).as(rated.body()).isEqualTo(200);
            JsonNode result = awaitResult(g, id);
            assertThat(result.at("/kind").asText()).isEqualTo("feedback");
            assertThat(result.at("/outcome").asText()).isEqualTo("scored");
            assertThat(result.at("/score").asDouble()).isEqualTo(0.25);
            assertThat(result.at("/flagged").asBoolean()).isTrue();
            assertThat(result.at("/rationale").asText()).isEqualTo("meh, write to [EMAIL]");
            assertThat(result.at("/model").asText()).isEqualTo("fast");
        }
    }

    @Test
    void aBiasRunScoresEveryProbePairOnEveryModelAndSetsTheDivergenceGauges() throws Exception {
        String evaluation = """
                team: quality
                evaluators:
                  fairness: { type: bias, models: [fast, fast2], embedding_model: embed, every: 24h }
                """;
        try (var g = RunningGateway.start(config(evaluation, ""), Map.of())) {
            HttpResponse<String> viewer = Http.post(g.adminUrl("/admin/evaluations/bias/run"), "",
                    "authorization", "Bearer " + VIEWER);
            assertThat(viewer.statusCode()).isEqualTo(403);
            HttpResponse<String> run = Http.post(g.adminUrl("/admin/evaluations/bias/run"),
                    "{\"evaluator\":\"fairness\"}", "authorization", "Bearer " + ADMIN);
            assertThat(run.statusCode()).as(run.body()).isBetween(200, 202);
            List<BiasProbe> probes = BiasProbes.shipped();
            assertThat(Http.json(run).at("/started_pairs").asInt()).isEqualTo(2 * probes.size());

            List<JsonNode> all = awaitResults(g, "&evaluator=fairness", 2 * probes.size(), r -> true);
            for (String model : List.of("fast", "fast2")) {
                List<String> ids = all.stream().filter(r -> r.at("/model").asText().equals(model))
                        .map(r -> r.at("/request_id").asText()).sorted().toList();
                assertThat(ids).containsExactlyElementsOf(probes.stream().map(p -> "bias:" + p.id()).sorted()
                        .toList());
            }
            for (JsonNode r : all) {
                assertThat(r.at("/outcome").asText()).as(r.toString()).isEqualTo("scored");
                assertThat(r.at("/kind").asText()).isEqualTo("bias");
                assertThat(r.at("/team").asText()).isEqualTo("quality");
            }
            long until = System.nanoTime() + PATIENCE.toNanos();
            String text = metrics(g);
            for (String attribute : probes.stream().map(BiasProbe::attribute).distinct().toList()) {
                for (String model : List.of("fast", "fast2")) {
                    String series = "tollgate_evaluation_bias_divergence{attribute=\"" + attribute
                            + "\",evaluator=\"fairness\",gen_ai_request_model=\"" + model + "\"}";
                    while (!text.contains(series) && System.nanoTime() < until) {
                        Thread.sleep(50);
                        text = metrics(g);
                    }
                    assertThat(text).contains(series);
                }
            }
        }
    }

    @Test
    void aHangingJudgeNeitherSlowsNorFailsClientsAndAFullQueueDropsAndCounts() throws Exception {
        String evaluation = """
                team: quality
                queue_size: 1
                concurrency: 1
                evaluators:
                  faith: { type: judge, model: judge, rubric: faithfulness, sample_rate: 1, models: [m] }
                """;
        var g = RunningGateway.start(config(evaluation, ""), Map.of());
        try {
            long baseline = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                chat(g, APP, "fast", null, "unsampled " + i);
                baseline = Math.min(baseline, System.nanoTime() - start);
            }
            int sent = 8;
            long slowest = 0;
            for (int i = 0; i < sent; i++) {
                long start = System.nanoTime();
                chat(g, APP, "m", null, "MARK-hang " + i);
                slowest = Math.max(slowest, System.nanoTime() - start);
                Thread.sleep(20); // let the worker take the first one
            }
            // Loosely: the judge hangs for 20 s, the clients notice nothing of it.
            assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofNanos(baseline).plusSeconds(2));
            String series = "tollgate_evaluations_skipped_total{evaluator=\"faith\",reason=\"queue_full\"}";
            long until = System.nanoTime() + PATIENCE.toNanos();
            while (metric(g, series) < sent - 2 && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            // One is with the worker (its judge hangs), one waits in the queue, the rest are dropped.
            assertThat(metric(g, series)).isEqualTo(sent - 2);
            assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                    .withRequestBody(matchingJsonPath("$.model", equalTo("up-judge"))))).hasSize(1);
        } finally {
            long start = System.nanoTime();
            g.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    void requestsOutsideAnEvaluatorsScopeAreNeverEvaluated() throws Exception {
        String evaluation = """
                evaluators:
                  scoped: { type: guardrail, guardrails: [no-pii], sample_rate: 1, models: [m], keys: [app],
                            routes: [chat] }
                """;
        String guardrails = """
                guardrails:
                  no-pii: { kind: pii, action: flag, applies_to: output, types: [email] }
                """;
        try (var g = RunningGateway.start(config(evaluation, guardrails).replace("claude-m: { deployments: "
                + "[ { provider: claude, model: claude-up } ] }", "claude-m: { deployments: [ { provider: claude, "
                + "model: claude-up } ] }\n  m-too: { deployments: [ { provider: up, model: up-m } ] }"),
                Map.of())) {
            chat(g, OTHER, "m", null, "another key");
            chat(g, APP, "fast", null, "another model");
            chat(g, APP, "m-too", null, "another model on the same deployment");
            HttpResponse<String> messages = Http.post(g.url("/v1/messages"), "{\"model\":\"m\",\"max_tokens\":50,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"another route\"}]}", "x-api-key", APP,
                    "anthropic-version", "2023-06-01");
            assertThat(messages.statusCode()).as(messages.body()).isEqualTo(200);
            String inside = chat(g, APP, "m", null, "in scope");
            awaitResult(g, inside);
            Thread.sleep(300); // anything else already queued has been written by now
            JsonNode all = results(g, "");
            assertThat(all).hasSize(1);
            assertThat(all.get(0).at("/request_id").asText()).isEqualTo(inside);
        }
    }

    @Test
    void aReloadMovesTheChargesToTheNewTeamAndStopsARemovedEvaluator() throws Exception {
        String before = """
                team: quality
                evaluators:
                  faith: { type: judge, model: judge, rubric: faithfulness, sample_rate: 1, models: [m] }
                  leaks: { type: guardrail, guardrails: [no-pii], sample_rate: 1 }
                """;
        String after = """
                team: quality2
                evaluators:
                  faith: { type: judge, model: judge, rubric: faithfulness, sample_rate: 1, models: [m] }
                """;
        String guardrails = """
                guardrails:
                  no-pii: { kind: pii, action: flag, applies_to: output, types: [email] }
                """;
        try (var g = RunningGateway.start(config(before, guardrails), Map.of())) {
            String first = chat(g, APP, "m", null, "before the reload");
            awaitResults(g, "", 2, r -> r.at("/request_id").asText().equals(first));
            assertThat(evaluationSpend(g, first, 1).getFirst().team()).isEqualTo("quality");

            g.writeConfig(config(after, guardrails));
            HttpResponse<String> reload = Http.post(g.adminUrl("/admin/config/reload"), "", "authorization",
                    "Bearer " + ADMIN);
            assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
            String second = chat(g, APP, "m", null, "after the reload");
            JsonNode judged = awaitResult(g, second);
            assertThat(judged.at("/evaluator").asText()).isEqualTo("faith");
            assertThat(evaluationSpend(g, second, 1).getFirst().team()).isEqualTo("quality2");
            Thread.sleep(300);
            assertThat(results(g, "&evaluator=leaks")).hasSize(1);
        }
    }

    @Test
    void anAnthropicMessagesRequestIsSampledAndJudgedToo() throws Exception {
        String evaluation = """
                team: quality
                evaluators:
                  faith: { type: judge, model: judge, rubric: faithfulness, sample_rate: 1, routes: [messages] }
                """;
        try (var g = RunningGateway.start(config(evaluation, ""), Map.of())) {
            HttpResponse<String> r = Http.post(g.url("/v1/messages"), "{\"model\":\"claude-m\",\"max_tokens\":50,"
                    + "\"system\":\"Answer in French.\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}",
                    "x-api-key", APP, "anthropic-version", "2023-06-01");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            String id = r.headers().firstValue("x-request-id").orElseThrow();
            JsonNode result = awaitResult(g, id);
            assertThat(result.at("/outcome").asText()).as(result.toString()).isEqualTo("scored");
            assertThat(result.at("/model").asText()).isEqualTo("claude-m");
            assertThat(result.at("/answer").asText()).isEqualTo("Bonjour from Claude.");
            String material = Http.JSON.readTree(judgeCalls().getFirst().getBodyAsString())
                    .at("/messages/1/content").asText();
            assertThat(material).contains("Answer in French.").contains("Say hello").contains("Bonjour from Claude.");
            // An OpenAI-dialect request is outside this evaluator's routes.
            chat(g, APP, "m", null, "not on the messages route");
            Thread.sleep(300);
            assertThat(results(g, "")).hasSize(1);
        }
    }
}
