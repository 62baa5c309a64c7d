package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.NextStep;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.metrics.PrometheusMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The alert rules and Grafana dashboards read only metrics, labels and label values the gateway exports today:
 * a rule on a misspelt metric never fires and a panel on one stays empty, and neither says so.
 */
class AlertsAndDashboardsTest {
    private static final Path ALERTS = Repo.DOCKER.resolve("prometheus/alerts.yml");
    private static final Path PROMETHEUS = Repo.DOCKER.resolve("prometheus/prometheus.yml");
    private static final Path DASHBOARDS = Repo.DOCKER.resolve("grafana/dashboards");
    /** Series Prometheus makes itself for every target. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up");
    /** Labels Prometheus adds to every scraped series. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? ");
    private static final Pattern SERIES_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern WORD_ALTERNATIVES = Pattern.compile("[a-z0-9_]+(\\|[a-z0-9_]+)*");

    /** Every series the gateway exports, by metric name: each one's labels. */
    private final Map<String, List<Map<String, String>>> exported = exportedSeries();

    @Test
    void everyAlertRuleWaitsCarriesASeverityAndExplainsItself() {
        var names = new HashSet<String>();
        List<YamlTree> rules = alertRules();
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
        for (YamlTree rule : alertRules()) {
            assertReadsExportedSeries(rule.get("alert").text(), new PromQl(rule.get("expr").text()));
        }
    }

    @Test
    void dashboardPanelsReadOnlyWhatTheGatewayExports() throws IOException {
        int queries = 0;
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
                for (JsonNode panel : panels(dashboard)) {
                    for (JsonNode target : panel.path("targets")) {
                        assertReadsExportedSeries(file.getFileName() + ": " + panel.get("title").asText(),
                                new PromQl(target.get("expr").asText()));
                        queries++;
                    }
                }
            }
        }
        assertThat(queries).isPositive();
    }

    private void assertReadsExportedSeries(String where, PromQl query) {
        Set<String> metrics = query.metrics();
        assertThat(metrics).as("%s: metrics in %s", where, query.expression()).isNotEmpty();
        var labels = new HashSet<>(TARGET_LABELS);
        for (String metric : metrics) {
            if (!PROMETHEUS_SERIES.contains(metric)) {
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

    private static List<YamlTree> alertRules() {
        var rules = new ArrayList<YamlTree>();
        YamlTree.load(ALERTS).get("groups").items().forEach(g -> rules.addAll(g.get("rules").items()));
        return rules;
    }

    private static Set<String> scrapeJobs() {
        var jobs = new HashSet<String>();
        YamlTree.load(PROMETHEUS).get("scrape_configs").items().forEach(j -> jobs.add(j.get("job_name").text()));
        return jobs;
    }

    /** Every panel, including those inside collapsed rows. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        var panels = new ArrayList<JsonNode>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    /**
     * Records one event of every kind the metrics port takes, with each value of its closed sets (deployment
     * states, ledger row states), into the gateway's Prometheus registry, and reads the scrape back.
     */
    private static Map<String, List<Map<String, String>>> exportedSeries() {
        var metrics = new PrometheusMetrics();
        metrics.exchangeFinished(summary(200, Outcome.SUCCESS, null, true));
        metrics.exchangeFinished(summary(502, Outcome.PROVIDER_ERROR, ErrorKind.PROVIDER_ERROR, false));
        metrics.quotaDenied("key", "requests");
        metrics.budgetAlert("global", 0.8);
        for (String state : List.of("written", "spilled", "replayed", "lost")) {
            metrics.ledgerRows(state, 1);
        }
        metrics.ledgerUp(true);
        metrics.budgetLevel("global", Money.ofUsd("80"), Money.ofUsd("100"));
        metrics.upstreamAttempt("fast/mock/m1", null, NextStep.NONE);
        for (DeploymentState state : DeploymentState.values()) {
            metrics.deploymentState("fast/mock/" + state.label(), state);
        }
        var series = new HashMap<String, List<Map<String, String>>>();
        for (String line : metrics.scrape().split("\n")) {
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

    private static ExchangeSummary summary(int status, Outcome outcome, ErrorKind error, boolean stream) {
        return new ExchangeSummary("req_1", "chat", Operation.CHAT, "fast", "m1", "fast/mock/m1", "mock", status,
                outcome, error, stream,
                2_000_000, stream ? 1_000_000 : -1, 1_500_000, Usage.reported(12, 30), "bot", "support", null,
                Money.ofUsd("0.25"), false, "req_1", RouteTrace.NONE, null);
    }
}
