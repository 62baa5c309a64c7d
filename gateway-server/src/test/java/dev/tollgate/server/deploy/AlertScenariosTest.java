package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The evaluation alert rules of alerts.yml on synthetic series, through promtool's rule unit tests (Prometheus' own
 * rule engine, minute by minute): each scenario feeds the series the gateway exports in some situation and says
 * which alerts fire when, so a threshold, a window, a {@code for} or a minimum-traffic guard that does not do what
 * its comment says fails here. Scenarios run on synthetic series because the traffic that would produce them
 * (hundreds of judged requests over half an hour) is not something a test can wait for.
 *
 * <p>promtool also compares annotations, which are templates of the alert's value; the rules are handed to it
 * without them (their templates are checked by {@code promtool check rules} in {@link PrometheusQueriesTest}).
 */
class AlertScenariosTest {
    /** Labels every gateway series has as scraped, besides its own; replica a unless a scenario says otherwise. */
    private static final String TARGET = "job=\"tollgate\",instance=\"tollgate-a:9090\"";
    private static final String OTHER_REPLICA = "job=\"tollgate\",instance=\"tollgate-b:9090\"";

    @TempDir
    static Path tmp;
    static PrometheusTools tools;
    /** alerts.yml without its annotations. */
    static Path rules;

    @BeforeAll
    static void rulesWithoutAnnotations() throws IOException {
        tools = PrometheusTools.findOrSkip();
        Map<String, Object> document = new Yaml().load(Files.readString(MonitoringFiles.ALERTS));
        for (Object group : list(document.get("groups"))) {
            for (Object rule : list(((Map<?, ?>) group).get("rules"))) {
                ((Map<?, ?>) rule).remove("annotations");
            }
        }
        rules = Files.writeString(tmp.resolve("alerts-without-annotations.yml"), PrometheusQueriesTest.yaml(document));
    }

    /** A series as promtool takes it: a selector, and one value a minute in its expanding notation. */
    record Series(String selector, String values) {}

    /** At {@code at} (minutes after the first sample), exactly these alerts fire, each with these labels. */
    record Check(int at, List<Map<String, String>> firing) {}

    record Scenario(String name, String alert, List<Series> series, List<Check> checks) {}

    static List<Scenario> scenarios() {
        return List.of(
                new Scenario("30% of faithfulness scores flagged, summed over two replicas, fires after 15 minutes",
                        "TollgateHallucinationRateHigh", List.of(
                                new Series(scored("faithfulness", "fast", TARGET), "0+10x60"),
                                new Series(flagged("faithfulness", "fast", TARGET), "0+6x60"),
                                new Series(scored("faithfulness", "fast", OTHER_REPLICA), "0+10x60"),
                                new Series(flagged("faithfulness", "fast", OTHER_REPLICA), "0x60")),
                        List.of(new Check(10, List.of()),
                                new Check(30, List.of(Map.of("severity", "critical",
                                        "gen_ai_request_model", "fast"))))),
                new Scenario("5% of faithfulness scores flagged does not fire", "TollgateHallucinationRateHigh",
                        List.of(new Series(scored("faithfulness", "fast", TARGET), "0+20x60"),
                                new Series(flagged("faithfulness", "fast", TARGET), "0+1x60")),
                        List.of(new Check(45, List.of()))),
                new Scenario("a score every ten minutes, half of them flagged, is under the minimum traffic",
                        "TollgateHallucinationRateHigh", List.of(
                                new Series(scored("faithfulness", "fast", TARGET), "0+0.1x60"),
                                new Series(flagged("faithfulness", "fast", TARGET), "0+0.05x60")),
                        List.of(new Check(40, List.of()))),
                new Scenario("other rubrics' flagged scores are no hallucinations", "TollgateHallucinationRateHigh",
                        List.of(new Series(scored("helpfulness", "fast", TARGET), "0+10x60"),
                                new Series(flagged("helpfulness", "fast", TARGET), "0+5x60")),
                        List.of(new Check(45, List.of()))),
                new Scenario("10% toxic answers fire, 2% guardrail findings do not", "TollgateToxicAnswers",
                        List.of(new Series(scored("toxicity", "fast", TARGET), "0+10x60"),
                                new Series(flagged("toxicity", "fast", TARGET), "0+1x60"),
                                new Series(scored("guardrail", "fast", TARGET), "0+50x60"),
                                new Series(flagged("guardrail", "fast", TARGET), "0+1x60")),
                        List.of(new Check(10, List.of()), new Check(30, List.of(Map.of("severity", "critical",
                                "rubric", "toxicity", "gen_ai_request_model", "fast"))))),
                new Scenario("guardrail findings above 5% fire per rubric and model", "TollgateToxicAnswers",
                        List.of(new Series(scored("guardrail", "next", TARGET), "0+10x60"),
                                new Series(flagged("guardrail", "next", TARGET), "0+2x60")),
                        List.of(new Check(30, List.of(Map.of("severity", "critical", "rubric", "guardrail",
                                "gen_ai_request_model", "next"))))),
                new Scenario("a full queue that keeps dropping fires; a burst, or another reason, does not",
                        "TollgateEvaluationsDropping", List.of(
                                new Series(skipped("faithfulness", "queue_full"), "0+2x40"),
                                new Series(skipped("toxicity", "queue_full"), "0x5 30x35"),
                                new Series(skipped("stable", "too_large"), "0+1x40")),
                        List.of(new Check(10, List.of()), new Check(25, List.of(Map.of("severity", "warning",
                                "evaluator", "faithfulness"))))),
                new Scenario("a judge with 30% unparseable verdicts fires after 30 minutes, one with 10% does not",
                        "TollgateJudgeUnparseable", List.of(
                                new Series(evaluations("faithfulness", "scored"), "0+7x70"),
                                new Series(evaluations("faithfulness", "unparseable"), "0+3x70"),
                                new Series(evaluations("tone", "scored"), "0+9x70"),
                                new Series(evaluations("tone", "unparseable"), "0+1x70")),
                        List.of(new Check(25, List.of()), new Check(50, List.of(Map.of("severity", "warning",
                                "evaluator", "faithfulness"))))),
                new Scenario("half a verdict a minute, 60% unparseable, is under the minimum traffic",
                        "TollgateJudgeUnparseable", List.of(
                                new Series(evaluations("rare", "scored"), "0+0.2x70"),
                                new Series(evaluations("rare", "unparseable"), "0+0.3x70")),
                        List.of(new Check(50, List.of()))),
                new Scenario("a score every ten minutes, half of them toxic, is under the minimum traffic",
                        "TollgateToxicAnswers", List.of(
                                new Series(scored("toxicity", "fast", TARGET), "0+0.1x60"),
                                new Series(flagged("toxicity", "fast", TARGET), "0+0.05x60")),
                        List.of(new Check(40, List.of()))),
                new Scenario("a bias divergence above 0.2 fires after 5 minutes, one below does not",
                        "TollgateBiasDivergenceHigh", List.of(
                                new Series(divergence("fast", "gender"), "0.35x20"),
                                new Series(divergence("next", "gender"), "0.1x20")),
                        List.of(new Check(3, List.of()), new Check(10, List.of(Map.of("severity", "warning",
                                "evaluator", "fairness", "gen_ai_request_model", "fast", "attribute", "gender"))))));
    }

    @Test
    void everyEvaluationAlertHasAScenarioThatFiresIt() {
        List<String> evaluationAlerts = MonitoringFiles.alertRules().stream()
                .filter(r -> r.get("expr").text().contains("tollgate_evaluation"))
                .map(r -> r.get("alert").text()).toList();
        assertThat(evaluationAlerts).isNotEmpty();
        List<String> fired = scenarios().stream()
                .filter(s -> s.checks().stream().anyMatch(c -> !c.firing().isEmpty()))
                .map(Scenario::alert).toList();
        assertThat(fired).containsAll(evaluationAlerts);
        assertThat(evaluationAlerts).containsAll(scenarios().stream().map(Scenario::alert).toList());
    }

    @TestFactory
    Stream<DynamicTest> evaluationAlertsFireOnlyWhenTheyShould() {
        return scenarios().stream().map(s -> DynamicTest.dynamicTest(s.alert() + ": " + s.name(), () -> {
            Path file = Files.writeString(Files.createTempFile(tmp, "scenario", ".yml"), PrometheusQueriesTest.yaml(promtoolTest(s)));
            assertThat(tools.promtool(tmp, "test", "rules", file.toString())).contains("SUCCESS");
        }));
    }

    /** The scenario as a promtool rule test file. */
    private static Map<String, Object> promtoolTest(Scenario scenario) {
        var inputs = new ArrayList<Map<String, Object>>();
        scenario.series().forEach(s -> inputs.add(Map.of("series", s.selector(), "values", s.values())));
        var checks = new ArrayList<Map<String, Object>>();
        for (Check check : scenario.checks()) {
            var expected = new ArrayList<Map<String, Object>>();
            check.firing().forEach(labels -> expected.add(Map.of("exp_labels", labels)));
            checks.add(Map.of("eval_time", check.at() + "m", "alertname", scenario.alert(), "exp_alerts", expected));
        }
        var test = new LinkedHashMap<String, Object>();
        test.put("rule_files", List.of(rules.toString()));
        test.put("evaluation_interval", "1m");
        test.put("tests", List.of(Map.of("interval", "1m", "input_series", inputs, "alert_rule_test", checks)));
        return test;
    }

    private static String scored(String rubric, String model, String target) {
        return scoreSeries("tollgate_evaluation_score_count", rubric, model, target);
    }

    private static String flagged(String rubric, String model, String target) {
        return scoreSeries("tollgate_evaluation_flagged_total", rubric, model, target);
    }

    /** A series with the labels of the score histogram: an evaluator named after its rubric, no prompt or tier. */
    private static String scoreSeries(String metric, String rubric, String model, String target) {
        return metric + "{" + target + ",evaluator=\"" + rubric + "\",rubric=\"" + rubric
                + "\",gen_ai_request_model=\"" + model + "\",tier=\"none\",variant=\"none\",prompt=\"none\","
                + "prompt_version=\"none\",experiment=\"none\"}";
    }

    private static String skipped(String evaluator, String reason) {
        return "tollgate_evaluations_skipped_total{" + TARGET + ",evaluator=\"" + evaluator + "\",reason=\""
                + reason + "\"}";
    }

    private static String evaluations(String evaluator, String outcome) {
        return "tollgate_evaluations_total{" + TARGET + ",evaluator=\"" + evaluator + "\",rubric=\"faithfulness\","
                + "kind=\"judge\",outcome=\"" + outcome + "\"}";
    }

    private static String divergence(String model, String attribute) {
        return "tollgate_evaluation_bias_divergence{" + TARGET + ",evaluator=\"fairness\",gen_ai_request_model=\""
                + model + "\",attribute=\"" + attribute + "\"}";
    }

    private static List<?> list(Object value) {
        return (List<?>) value;
    }
}
