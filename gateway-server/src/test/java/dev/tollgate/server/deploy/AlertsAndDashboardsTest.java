package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.cache.CacheResult;
import dev.tollgate.core.cache.CacheUse;
import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluatorKind;
import dev.tollgate.core.eval.Rubric;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.NextStep;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.metrics.PrometheusMetrics;
import dev.tollgate.metrics.RuntimeProbes;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules and Grafana dashboards read only metrics, labels and label values the gateway exports today:
 * a rule on a misspelt metric never fires and a panel on one stays empty, and neither says so. One kind of metric
 * is known without being exported: that of self-hosted model servers, which Prometheus scrapes from them directly
 * ({@link #MODEL_SERVER_SERIES}).
 */
class AlertsAndDashboardsTest {
    /** Series Prometheus makes itself for every target. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up");
    /** Labels Prometheus adds to every scraped series. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? ");
    private static final Pattern SERIES_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern WORD_ALTERNATIVES = Pattern.compile("[a-z0-9_]+(\\|[a-z0-9_]+)*");

    /** Self-hosted model servers' own metrics, which only the dashboard's model-server row reads. */
    private static final Map<String, Set<String>> MODEL_SERVER_SERIES = Map.of(
            "vllm:num_requests_waiting", Set.of("model_name"),
            "vllm:num_requests_running", Set.of("model_name"),
            "vllm:gpu_cache_usage_perc", Set.of("model_name"),   // vLLM before 0.10
            "vllm:kv_cache_usage_perc", Set.of("model_name"),    // vLLM 0.10 and later
            "tgi_queue_size", Set.of(),
            "tgi_batch_current_size", Set.of());

    /**
     * Why the evaluation engine leaves a sampled request or a probe unscored: the queue was full, a request too
     * large to re-ask, an evaluator a reload removed, the gateway stopping, a failure inside the gateway, a result
     * the ledger would not take.
     */
    private static final List<String> SKIP_REASONS =
            List.of("queue_full", "too_large", "removed", "shutdown", "error", "unstored", "unreadable");
    private static final Pattern CODE = Pattern.compile("`([a-z_]+)`");

    /** A prompt request's use, for the prompt series. */
    private static final PromptUse PROMPT = new PromptUse("support-answer", 2, "production", "tone", "concise");

    /** Every series the gateway exports, by metric name: each one's labels. */
    private final Map<String, List<Map<String, String>>> exported = exportedSeries();

    @Test
    void everyAlertRuleWaitsCarriesASeverityAndExplainsItself() {
        var names = new HashSet<String>();
        List<YamlTree> rules = MonitoringFiles.alertRules();
        assertThat(rules).isNotEmpty();
        for (YamlTree rule : rules) {
            String name = rule.get("alert").text();
            assertThat(names.add(name)).as("alert %s defined twice", name).isTrue();
            assertThat(rule.get("expr").text()).isNotBlank();
            Compose.goDuration(rule.get("for").text());
            assertThat(rule.get("labels").get("severity").text()).as(name).isIn(SEVERITIES);
            assertThat(rule.get("annotations").get("summary").text()).as(name).isNotBlank();
            assertThat(rule.get("annotations").get("description").text()).as(name).isNotBlank();
        }
    }

    @Test
    void alertRulesReadOnlyWhatTheGatewayExports() {
        for (YamlTree rule : MonitoringFiles.alertRules()) {
            assertReadsExportedSeries(rule.get("alert").text(), new PromQl(rule.get("expr").text()));
        }
    }

    @Test
    void dashboardPanelsReadOnlyWhatTheGatewayExports() {
        int queries = 0;
        for (MonitoringFiles.Dashboard dashboard : MonitoringFiles.dashboards()) {
            for (MonitoringFiles.PanelQuery query : dashboard.queries()) {
                assertReadsExportedSeries(query.where(), new PromQl(query.expr()));
                queries++;
            }
        }
        assertThat(queries).isPositive();
    }

    @Test
    void theReasonsForSkippedEvaluationsAreTheEnginesInTheOperationsGuideAndTheHelp() throws IOException {
        String row = Files.readAllLines(Repo.ROOT.resolve("docs/operations.md")).stream()
                .filter(line -> line.startsWith("| `tollgate_evaluations_skipped_total`")).findFirst().orElseThrow();
        String labels = row.split("\\|")[3];
        var documented = new ArrayList<String>();
        Matcher code = CODE.matcher(labels.substring(labels.indexOf("`reason`") + "`reason`".length()));
        while (code.find()) {
            documented.add(code.group(1));
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(SKIP_REASONS);
        var metrics = new PrometheusMetrics();
        metrics.evaluationsSkipped("faithfulness", "queue_full", 1);
        String help = metrics.scrape().lines()
                .filter(line -> line.startsWith("# HELP tollgate_evaluations_skipped_total ")).findFirst().orElseThrow();
        assertThat(help).contains(SKIP_REASONS).doesNotContain("closed");
    }

    private void assertReadsExportedSeries(String where, PromQl query) {
        Set<String> metrics = query.metrics();
        assertThat(metrics).as("%s: metrics in %s", where, query.expression()).isNotEmpty();
        var labels = new HashSet<>(TARGET_LABELS);
        for (String metric : metrics) {
            if (MODEL_SERVER_SERIES.containsKey(metric)) {
                labels.addAll(MODEL_SERVER_SERIES.get(metric));
            } else if (!PROMETHEUS_SERIES.contains(metric)) {
                assertThat(exported).as("%s: metric %s", where, metric).containsKey(metric);
                exported.get(metric).forEach(series -> labels.addAll(series.keySet()));
            }
        }
        assertThat(labels).as("%s: labels of %s", where, query.expression()).containsAll(query.labels());
        for (PromQl.LabelMatch match : query.matches()) {
            for (String value : plainValues(match)) {
                if (match.label().equals("job")) {
                    assertThat(scrapeJobs()).as("%s: job", where).contains(value);
                } else if (exported.containsKey(match.metric())) {
                    assertThat(exported.get(match.metric())).as("%s: %s with %s=\"%s\"", where, match.metric(),
                            match.label(), value).anyMatch(series -> value.equals(series.get(match.label())));
                }
            }
        }
    }

    /** The exact values a matcher names: its value, or each word of a regex that is only words joined by '|'. */
    private static List<String> plainValues(PromQl.LabelMatch match) {
        boolean regex = match.operator().contains("~");
        if (!regex) {
            return List.of(match.value());
        }
        return WORD_ALTERNATIVES.matcher(match.value()).matches() ? List.of(match.value().split("\\|")) : List.of();
    }

    private static Set<String> scrapeJobs() {
        var jobs = new HashSet<String>();
        YamlTree.load(MonitoringFiles.PROMETHEUS).get("scrape_configs").items().forEach(j -> jobs.add(j.get("job_name").text()));
        return jobs;
    }

    /**
     * Records one event of every kind the metrics port takes, with each value of its closed sets (deployment
     * states, ledger row states), into the gateway's Prometheus registry, and reads the scrape back.
     */
    private static Map<String, List<Map<String, String>>> exportedSeries() {
        var metrics = new PrometheusMetrics();
        metrics.bindRuntime(new RuntimeProbes(() -> 3, () -> 1 << 20, () -> 2 << 20, () -> 0, () -> 5, () -> 1, () -> 0));
        // The JVM's pause timer has a series once a collection was reported, which happens on a JDK thread of
        // its own, a moment after the collection.
        for (int i = 0; i < 100 && !metrics.scrape().contains("jvm_gc_pause_seconds_sum"); i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        metrics.exchangeFinished(summary(200, Outcome.SUCCESS, null, true, null, RouteTrace.NONE));
        for (Outcome outcome : Outcome.values()) {
            ErrorKind error = switch (outcome) {
                case SUCCESS -> null;
                case CALLER_ERROR -> ErrorKind.INVALID_REQUEST;
                case POLICY_DENIED -> ErrorKind.RATE_LIMITED;
                case PROVIDER_ERROR -> ErrorKind.PROVIDER_ERROR;
                case GATEWAY_ERROR -> ErrorKind.INTERNAL;
                case CLIENT_CANCELLED -> ErrorKind.CLIENT_CANCELLED;
            };
            metrics.exchangeFinished(summary(error == null ? 200 : error.defaultStatus(), outcome, error, false, null,
                    RouteTrace.NONE));
            metrics.exchangeFinished(summary(error == null ? 200 : error.defaultStatus(), outcome, error, false, null,
                    RouteTrace.NONE, PROMPT));
        }
        for (CacheResult result : CacheResult.values()) {
            metrics.exchangeFinished(summary(200, Outcome.SUCCESS, null, false, new CacheUse(result,
                    result == CacheResult.HIT ? Money.ofUsd("0.25") : Money.ZERO), RouteTrace.NONE));
        }
        metrics.exchangeFinished(summary(200, Outcome.SUCCESS, null, false, null,
                new RouteTrace("fast", null, "canary/fast", 1, List.of("fast/mock/m1"), false)));
        for (String result : List.of("applied", "unchanged", "rejected")) {
            metrics.configReloaded(result, 2, false);
        }
        metrics.quotaDenied("key", "requests");
        metrics.budgetAlert("global", 0.8);
        for (String state : List.of("written", "spilled", "replayed", "lost")) {
            metrics.ledgerRows(state, 1);
        }
        metrics.ledgerUp(true);
        metrics.feedback("fast", "economy", "canary/fast", null, 1);
        metrics.feedback("fast", null, null, PROMPT, 0.5);
        for (String result : List.of("written", "dropped")) {
            metrics.reviewSamples(result, 1);
        }
        evaluations(metrics);
        metrics.budgetLevel("global", Money.ofUsd("80"), Money.ofUsd("100"));
        metrics.upstreamAttempt("fast/mock/m1", null, NextStep.NONE);
        for (DeploymentState state : DeploymentState.values()) {
            metrics.deploymentState("fast/mock/" + state.label(), state);
        }
        var series = new HashMap<String, List<Map<String, String>>>();
        String scrape = metrics.scrape();
        metrics.close();
        for (String line : scrape.split("\n")) {
            Matcher m = SERIES.matcher(line);
            if (line.startsWith("#") || !m.find()) {
                continue;
            }
            var labels = new LinkedHashMap<String, String>();
            if (m.group(2) != null) {
                SERIES_LABEL.matcher(m.group(2)).results().forEach(l -> labels.put(l.group(1), l.group(2)));
            }
            series.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
        }
        return series;
    }

    /**
     * An evaluation of every kind and outcome, flagged and not, with each shipped rubric (a judge's) or the kind's
     * name (the others'), of a request with a prompt and one without; skips for every reason; a queue depth and a
     * bias divergence.
     */
    private static void evaluations(PrometheusMetrics metrics) {
        var plain = new RequestFacts("req_1", "spend_1", Instant.EPOCH, "bot", "support", "fast", "economy",
                "canary/fast", null);
        var prompted = new RequestFacts("req_2", "spend_2", Instant.EPOCH, "bot", "support", "fast", null, null,
                PROMPT);
        // The rubric label of each kind of evaluator: a judge's rubric, else the kind's name.
        var kinds = new LinkedHashMap<String, EvaluatorKind>();
        for (Rubric.Shipped rubric : Rubric.Shipped.values()) {
            kinds.put(rubric.id(), EvaluatorKind.JUDGE);
        }
        for (EvaluatorKind kind : EvaluatorKind.values()) {
            if (kind != EvaluatorKind.JUDGE) {
                kinds.put(kind.label(), kind);
            }
        }
        for (var evaluator : kinds.entrySet()) {
            String rubric = evaluator.getKey();
            EvaluatorKind kind = evaluator.getValue();
            for (EvalOutcome outcome : EvalOutcome.values()) {
                boolean scored = outcome == EvalOutcome.SCORED;
                for (RequestFacts request : List.of(plain, prompted)) {
                    metrics.evaluated(new EvaluationResult(request, Instant.EPOCH, rubric, kind, rubric, outcome,
                            scored ? 0.25 : null, scored, null, null, null, Money.ofUsd("0.001"), null));
                }
            }
        }
        for (String reason : SKIP_REASONS) {
            metrics.evaluationsSkipped("faithfulness", reason, 1);
        }
        metrics.evaluationQueue(3);
        metrics.biasDivergence("bias", "fast", "gender", 0.1);
    }

    private static ExchangeSummary summary(int status, Outcome outcome, ErrorKind error, boolean stream,
                                           CacheUse cache, RouteTrace routing) {
        return summary(status, outcome, error, stream, cache, routing, null);
    }

    private static ExchangeSummary summary(int status, Outcome outcome, ErrorKind error, boolean stream,
                                           CacheUse cache, RouteTrace routing, PromptUse prompt) {
        return new ExchangeSummary("req_1", "chat", Operation.CHAT, "fast", "m1", "fast/mock/m1", "mock", status,
                outcome, error, stream,
                2_000_000, stream ? 1_000_000 : -1, 1_500_000, Usage.reported(12, 30), "bot", "support", null,
                Money.ofUsd("0.25"), false, "req_1", routing, cache, prompt);
    }
}
