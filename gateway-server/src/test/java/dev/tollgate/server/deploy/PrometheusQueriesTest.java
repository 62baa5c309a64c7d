package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.eval.EvaluationDraft;
import dev.tollgate.server.testing.RunningGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules and dashboard queries on a real Prometheus (Debian's package; see {@link PrometheusTools} for
 * when this is skipped): promtool accepts the rules and the scrape config, and a Prometheus scraping a gateway
 * that has served chat requests, streams, cache hits, a registry prompt and a rate-limit refusal, and evaluated them
 * (a judge on the built-in mock, a guardrail, feedback, a bias run and a sample too large to re-ask), evaluates every
 * rule and every panel query, and finds data for the traffic panels.
 *
 * <p>The traffic comes in two rounds, one before Prometheus starts and one after its first scrape: a counter that
 * first appears between two scrapes has no rate yet, so only the second round makes the rates of the panels
 * non-zero. Evaluations end in the background, so each round waits for its results before Prometheus may count it.
 */
class PrometheusQueriesTest {
    /** Panels over metrics this build exports, which the traffic below must fill. */
    static final Set<String> TRAFFIC_PANELS = Set.of(
            "Requests per second", "Requests per second by model", "Requests per second by route",
            "Request duration by model (non-streaming)", "Time to first token by model", "Error ratio by fault domain",
            "Tokens per second by model and type", "Tokens per request by model",
            "Cost in the time range", "Cost per hour by team", "Cost per hour by model",
            "Cache hit ratio by model", "Cache requests by result", "Dollars saved by the cache per hour",
            "Saved in the time range", "Cache entries", "Cache size",
            "Budget used", "Refused by limits and budgets", "Upstream attempts by deployment and result",
            "Gateways up", "Ledger up", "Config version by gateway",
            "Time per output token by model", "Gateway overhead", "Upstream latency by deployment", "In flight",
            "In-flight requests and streams", "Tokens per second by team and type",
            "Cost by key in the time range (top 10)", "Requests per key by outcome (top 10)", "Budget remaining",
            "Spend ledger", "JVM memory used", "CPU", "Netty allocator", "Live threads and uptime",
            "Mean feedback score in the time range", "Feedback and review samples",
            "Prompt requests per second by version and arm", "Prompt latency p95 by version and arm",
            "Prompt cost per second by version and arm", "Prompt error ratio by version and arm",
            "Mean feedback by prompt version and arm in the time range",
            "Mean evaluation score by evaluator and model", "Flagged share by rubric and model",
            "Evaluations by evaluator and outcome", "Evaluation queue and skipped samples",
            "Evaluation cost per hour by evaluator", "Bias divergence by model and attribute",
            "Evaluation score p10 and median by evaluator",
            "Mean evaluation score by prompt version and arm in the time range");

    /**
     * What Grafana puts in for its built-in variables here: a one-minute rate window holds samples from before
     * and after the second round of traffic, at a 1 s scrape interval.
     */
    static final Map<String, String> GRAFANA_BUILTINS = Map.of(
            "__rate_interval", "1m", "__interval", "15s", "__range", "1h", "__range_s", "3600");
    /** {@code $name}, {@code ${name}} or {@code ${name:format}}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)(?::\\w+)?}|(\\w+))");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(.+?)\\s*,\\s*(\\w+)\\s*\\)");
    private static final Duration SCRAPED_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EVALUATED_TIMEOUT = Duration.ofSeconds(30);
    private static final String MODEL = "assistant";
    private static final String BOT_KEY = "tg-prometheus-bot";
    private static final String CAPPED_KEY = "tg-prometheus-capped";
    /** Sends one request a round too large to re-ask: the consistency evaluator that samples it skips it. */
    private static final String BULK_KEY = "tg-prometheus-bulk";
    private static final String ADMIN_KEY = "tg-prometheus-admin";
    /** The evaluators each round's rated requests must have results from before Prometheus may count them. */
    private static final Set<String> RATED_BY = Set.of("faithful", "leaks", "rated");

    @TempDir
    static Path tmp;
    static PrometheusTools tools;
    static RunningGateway gateway;
    static LocalPrometheus prometheus;
    /** Requests sent to the gateway so far (every one ends up in tollgate_requests_total). */
    static int requestsSent;
    /** When every query is evaluated: after the second round of traffic was scraped. */
    static Instant evaluatedAt;
    private static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void serveTrafficAndScrapeIt() throws Exception {
        tools = PrometheusTools.findOrSkip();
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                admin: { keys: ["%s"] }
                providers:
                  mock: { type: mock, mock: { latency: 5ms, chunks: 4, answer_words: 12 } }
                models:
                  %s: { deployments: [ { provider: mock } ] }
                  judge: { deployments: [ { provider: mock } ] }
                  embed: { mode: embeddings, deployments: [ { provider: mock } ] }
                prices:
                  %2$s: { input: 1, output: 2 }
                  judge: { input: 1, output: 2 }
                budgets: { global: { usd: 1000, period: monthly } }
                teams:
                  support: { budget: { usd: 100, period: monthly } }
                  quality: { budget: { usd: 100, period: monthly } }
                keys:
                  - { name: bot, hash: "%s", team: support }
                  - { name: capped, hash: "%s", team: support, limits: { rpm: 1 } }
                  - { name: bulk, hash: "%s", team: support }
                guardrails:
                  no-pii: { kind: pii, action: flag, applies_to: output, types: [email] }
                cache: { enabled: true, ttl: 10m }
                review: { sample_rate: 1 }
                prompts:
                  greet:
                    labels: { production: 1 }
                    versions:
                      1: { system: "Greet {{name}} briefly." }
                experiments:
                  wording:
                    prompt: greet
                    arms:
                      only: { version: 1, weight: 1 }
                evaluation:
                  team: quality
                  evaluators:
                    faithful: { type: judge, model: judge, rubric: faithfulness, sample_rate: 1, keys: [bot] }
                    leaks: { type: guardrail, guardrails: [no-pii], sample_rate: 1, keys: [bot] }
                    stable: { type: consistency, embedding_model: embed, sample_rate: 1, keys: [bulk] }
                    rated: { type: feedback }
                    fairness: { type: bias, models: [%2$s], embedding_model: embed, every: 24h }
                """.formatted(KeyHash.of(ADMIN_KEY), MODEL, KeyHash.of(BOT_KEY), KeyHash.of(CAPPED_KEY),
                KeyHash.of(BULK_KEY)), Map.of());
        traffic(1);
        awaitEvaluations(1);
        runBiasProbes();
        int firstRound = requestsSent;
        prometheus = LocalPrometheus.start(tools, scrapeConfig(), Files.createDirectories(tmp.resolve("prometheus")));
        prometheus.await("a scrape of the gateway", SCRAPED_TIMEOUT,
                p -> p.anySample("up{job=\"tollgate\"}", up -> up == 1));
        prometheus.await("the first round's requests in a scrape", SCRAPED_TIMEOUT,
                p -> p.anySample("sum(tollgate_requests_total)", n -> n >= firstRound));
        traffic(2);
        int total = requestsSent;
        int evaluated = awaitEvaluations(2);
        prometheus.await("the second round's requests in a scrape", SCRAPED_TIMEOUT,
                p -> p.anySample("sum(tollgate_requests_total)", n -> n >= total));
        prometheus.await("the second round's evaluations in a scrape", SCRAPED_TIMEOUT,
                p -> p.anySample("sum(tollgate_evaluations_total)", n -> n >= evaluated)
                        && p.anySample("sum(tollgate_evaluations_skipped_total)", n -> n >= 2));
        prometheus.await("every alert rule evaluated", SCRAPED_TIMEOUT, p -> {
            List<JsonNode> rules = loadedRules(p);
            return !rules.isEmpty() && rules.stream().noneMatch(r -> r.path("health").asText().equals("unknown"));
        });
        evaluatedAt = Instant.now();
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void promtoolAcceptsTheAlertRules() {
        String output = tools.promtool(tmp, "check", "rules", MonitoringFiles.ALERTS.toString());
        assertThat(output).contains("SUCCESS: " + MonitoringFiles.alertRules().size() + " rules found");
    }

    @Test
    void promtoolAcceptsTheComposeScrapeConfig() throws IOException {
        // As compose.yaml mounts it, except the rule file's path, which is the container's.
        Map<String, Object> config = new Yaml().load(Files.readString(MonitoringFiles.PROMETHEUS));
        config.put("rule_files", List.of(MonitoringFiles.ALERTS.toString()));
        Path file = Files.writeString(tmp.resolve("compose-prometheus.yml"), yaml(config));
        assertThat(tools.promtool(tmp, "check", "config", file.toString())).contains("SUCCESS");
    }

    @Test
    void promtoolAcceptsTheTestsScrapeConfig() throws IOException {
        Path file = Files.writeString(tmp.resolve("test-prometheus.yml"), scrapeConfig());
        assertThat(tools.promtool(tmp, "check", "config", file.toString())).contains("SUCCESS");
    }

    @Test
    void everyAlertRuleIsLoadedAndEvaluatesWithoutError() throws Exception {
        List<JsonNode> rules = loadedRules(prometheus);
        assertThat(rules).extracting(r -> r.path("name").asText()).containsExactlyInAnyOrderElementsOf(
                MonitoringFiles.alertRules().stream().map(r -> r.get("alert").text()).toList());
        for (JsonNode rule : rules) {
            assertThat(rule.path("health").asText()).as("%s: %s", rule.path("name").asText(),
                    rule.path("lastError").asText()).isEqualTo("ok");
        }
    }

    @Test
    void everyAlertExpressionEvaluates() throws Exception {
        var rejected = new ArrayList<String>();
        for (YamlTree rule : MonitoringFiles.alertRules()) {
            evaluate(rule.get("alert").text(), rule.get("expr").text(), rejected);
        }
        assertThat(rejected).as("alert expressions Prometheus rejects").isEmpty();
    }

    @Test
    void everyPanelQueryEvaluatesAndTheTrafficPanelsHaveData() throws Exception {
        var titles = new ArrayList<String>();
        var rejected = new ArrayList<String>();
        var empty = new ArrayList<String>();
        for (MonitoringFiles.Dashboard dashboard : MonitoringFiles.dashboards()) {
            Map<String, String> variables = variables(dashboard);
            for (MonitoringFiles.PanelQuery query : dashboard.queries()) {
                titles.add(query.panel());
                String promql = substitute(query.where(), query.expr(), variables);
                JsonNode result = evaluate(query.where(), promql, rejected);
                if (TRAFFIC_PANELS.contains(query.panel()) && !hasFiniteSample(result)) {
                    empty.add(query.where() + ": " + promql + " -> " + result);
                }
            }
        }
        assertThat(rejected).as("panel queries Prometheus rejects").isEmpty();
        assertThat(titles).as("panels named in TRAFFIC_PANELS").containsAll(TRAFFIC_PANELS);
        assertThat(empty).as("traffic panels without a number").isEmpty();
    }

    @Test
    void everyQueryVariableFindsValues() throws Exception {
        for (MonitoringFiles.Dashboard dashboard : MonitoringFiles.dashboards()) {
            for (JsonNode variable : dashboard.variables()) {
                if (!variable.path("type").asText().equals("query")) {
                    continue;
                }
                String where = dashboard.file() + ": variable " + variable.path("name").asText();
                Matcher m = LABEL_VALUES.matcher(variable.path("query").asText());
                assertThat(m.matches()).as("%s: a label_values(metric, label) query", where).isTrue();
                var rejected = new ArrayList<String>();
                JsonNode result = evaluate(where, "count by (" + m.group(2) + ") (" + m.group(1) + ")", rejected);
                assertThat(rejected).isEmpty();
                assertThat(result).as("%s: values", where).isNotEmpty();
            }
        }
    }

    /** Sends one round of traffic; fails on an unexpected answer. */
    private static void traffic(int round) throws Exception {
        // The same deterministic question in both rounds: a miss the first time, then hits.
        String repeated = chat("What is the capital of France?", false, 0);
        assertThat(send(BOT_KEY, repeated)).isEqualTo(200);
        assertThat(send(BOT_KEY, repeated)).isEqualTo(200);
        // A new question each round: a miss (and a cost) in both; sampled for review, and rated.
        String id = "prometheus-round-" + round;
        assertThat(send(BOT_KEY, chat("Question of round " + round, false, 0), "x-request-id", id)).isEqualTo(200);
        assertThat(post(BOT_KEY, "/v1/feedback", "{\"request_id\":\"" + id + "\",\"score\":5}")).isEqualTo(200);
        // A registry prompt in an experiment, rated: the prompt panels.
        String prompted = "prometheus-prompt-" + round;
        assertThat(send(BOT_KEY, chat("Hello", false, 0.7), "x-request-id", prompted, "x-tollgate-prompt", "greet",
                "x-tollgate-prompt-variables", "{\"name\":\"Ada\"}")).isEqualTo(200);
        assertThat(post(BOT_KEY, "/v1/feedback", "{\"request_id\":\"" + prompted + "\",\"score\":4}"))
                .isEqualTo(200);
        // Streams, which the cache leaves alone when they are not deterministic: time to first token.
        assertThat(send(BOT_KEY, chat("Tell a story", true, 0.7))).isEqualTo(200);
        assertThat(send(BOT_KEY, chat("Tell another story", true, 0.7))).isEqualTo(200);
        // One request a minute for this key: the first round's first request passes, and the second round's too
        // when it comes more than a minute later. Each round's second one is refused.
        int first = send(CAPPED_KEY, chat("Limited", false, 0.7));
        if (round == 1) {
            assertThat(first).isEqualTo(200);
        } else {
            assertThat(first).isIn(200, 429);
        }
        assertThat(send(CAPPED_KEY, chat("Limited again", false, 0.7))).isEqualTo(429);
        // A body over what the consistency evaluator re-asks: answered, and counted as a skipped sample.
        String large = "x".repeat(EvaluationDraft.MAX_REASK_BYTES);
        assertThat(send(BULK_KEY, chat("Summarise " + large, false, 0.7))).isEqualTo(200);
    }

    /**
     * Waits until the round's rated requests (one plain, one of a registry prompt) have a result from each
     * evaluator in {@link #RATED_BY}, so every evaluation series exists after the first round and grows in the
     * second; returns how many results are stored by then.
     */
    private static int awaitEvaluations(int round) throws Exception {
        Set<String> ids = Set.of("prometheus-round-" + round, "prometheus-prompt-" + round);
        Instant deadline = Instant.now().plus(EVALUATED_TIMEOUT);
        while (true) {
            JsonNode results = evaluations("");
            var seen = new HashSet<String>();
            for (JsonNode r : results) {
                if (ids.contains(r.path("request_id").asText())) {
                    seen.add(r.path("request_id").asText() + " " + r.path("evaluator").asText());
                }
            }
            if (seen.size() == ids.size() * RATED_BY.size()) {
                return results.size();
            }
            assertThat(Instant.now()).as("round %d's evaluations; have %s", round, seen).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    /** Runs the bias probes now and waits for every pair's result: the divergence gauges are set by then. */
    private static void runBiasProbes() throws Exception {
        HttpResponse<String> run = HTTP.send(HttpRequest.newBuilder(gateway.adminUrl("/admin/evaluations/bias/run"))
                .timeout(Duration.ofSeconds(20)).header("authorization", "Bearer " + ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"evaluator\":\"fairness\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(202);
        int pairs = JSON.readTree(run.body()).path("started_pairs").asInt();
        assertThat(pairs).isPositive();
        Instant deadline = Instant.now().plus(EVALUATED_TIMEOUT);
        while (evaluations("&evaluator=fairness").size() < pairs) {
            assertThat(Instant.now()).as("the bias run's %d pairs", pairs).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    /** The stored evaluation results matching {@code filters} (each {@code &name=value}). */
    private static JsonNode evaluations(String filters) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(gateway.adminUrl(
                "/admin/evaluations?limit=500" + filters)).timeout(Duration.ofSeconds(20))
                .header("authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("evaluations");
    }

    private static String chat(String prompt, boolean stream, double temperature) {
        return "{\"model\":\"" + MODEL + "\",\"stream\":" + stream + ",\"temperature\":" + temperature
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    /** POSTs a chat request, reads the whole answer (a stream to its end), counts it and returns the status. */
    private static int send(String key, String body, String... headers) throws Exception {
        return post(key, "/v1/chat/completions", body, headers);
    }

    /** @param headers name, value, name, value... */
    private static int post(String key, String path, String body, String... headers) throws Exception {
        requestsSent++;
        var request = HttpRequest.newBuilder(gateway.url(path)).timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Prometheus scraping the gateway's admin port every second, with the alert rules evaluated every second. */
    private static String scrapeConfig() {
        URI admin = gateway.adminUrl("/metrics");
        var config = new LinkedHashMap<String, Object>();
        config.put("global", Map.of("scrape_interval", "1s", "evaluation_interval", "1s"));
        config.put("rule_files", List.of(MonitoringFiles.ALERTS.toString()));
        // The job name the alert rules and dashboard select (job="tollgate").
        config.put("scrape_configs", List.of(Map.of("job_name", "tollgate", "metrics_path", admin.getPath(),
                "static_configs", List.of(Map.of("targets", List.of(admin.getHost() + ":" + admin.getPort()))))));
        return yaml(config);
    }

    static String yaml(Map<String, Object> document) {
        var options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(document);
    }

    private static List<JsonNode> loadedRules(LocalPrometheus p) throws IOException, InterruptedException {
        var rules = new ArrayList<JsonNode>();
        for (JsonNode group : p.get("/api/v1/rules?type=alert").path("data").path("groups")) {
            group.path("rules").forEach(rules::add);
        }
        return rules;
    }

    /**
     * Evaluates {@code promql} at {@link #evaluatedAt} and returns its samples; when Prometheus rejects it, adds
     * why to {@code rejected} and returns none.
     */
    private static JsonNode evaluate(String where, String promql, List<String> rejected)
            throws IOException, InterruptedException {
        JsonNode answer = prometheus.query(promql, evaluatedAt);
        if (!answer.path("status").asText().equals("success")) {
            rejected.add(where + ": " + promql + " -> " + answer);
        }
        return answer.path("data").path("result");
    }

    private static boolean hasFiniteSample(JsonNode result) {
        for (JsonNode sample : result) {
            if (Double.isFinite(LocalPrometheus.value(sample))) {
                return true;
            }
        }
        return false;
    }

    /** The value each template variable takes when "All" is chosen, by name. */
    private static Map<String, String> variables(MonitoringFiles.Dashboard dashboard) {
        var values = new LinkedHashMap<String, String>(GRAFANA_BUILTINS);
        for (JsonNode variable : dashboard.variables()) {
            if (variable.path("includeAll").asBoolean()) {
                values.put(variable.path("name").asText(), variable.path("allValue").asText(".*"));
            }
        }
        return values;
    }

    /** {@code expr} with every variable replaced; fails on a variable the dashboard does not define. */
    private static String substitute(String where, String expr, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(expr);
        var out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            assertThat(variables).as("%s: variable $%s in %s", where, name, expr).containsKey(name);
            m.appendReplacement(out, Matcher.quoteReplacement(variables.get(name)));
        }
        return m.appendTail(out).toString();
    }
}
