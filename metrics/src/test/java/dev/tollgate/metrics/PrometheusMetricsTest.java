package dev.tollgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.cache.CacheResult;
import dev.tollgate.core.cache.CacheUse;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.core.observe.NextStep;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.pricing.Money;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
    private final PrometheusMetrics metrics = new PrometheusMetrics();

    private static ExchangeSummary ok(boolean stream) {
        return new ExchangeSummary("req_1", "chat", "fast", "fast/mock/m1", "mock", 200, Outcome.SUCCESS, null,
                stream, 2_000_000, stream ? 1_000_000 : -1, 1_500_000, Usage.reported(12, 30), "bot", "support", null,
                Money.ofUsd("0.25"), false, "req_1", RouteTrace.NONE, null);
    }

    @Test
    void countsRequestsLatencyFirstTokenAndTokens() {
        metrics.exchangeFinished(ok(false));
        metrics.exchangeFinished(ok(false));
        metrics.exchangeFinished(ok(true));
        String text = metrics.scrape();
        assertThat(text).contains("tollgate_requests_total{deployment=\"fast/mock/m1\",error_type=\"none\","
                + "gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\",outcome=\"success\",route=\"chat\","
                + "status=\"200\"} 3.0");
        assertThat(text).contains("gen_ai_client_operation_duration_seconds_count{error_type=\"none\","
                + "gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\",route=\"chat\",stream=\"false\"} 2");
        assertThat(text).contains("gen_ai_server_time_to_first_token_seconds_count{gen_ai_provider_name=\"mock\","
                + "gen_ai_request_model=\"fast\",route=\"chat\"} 1");
        assertThat(text).contains("gen_ai_client_token_usage_tokens_sum{gen_ai_provider_name=\"mock\","
                + "gen_ai_request_model=\"fast\",gen_ai_token_type=\"output\",route=\"chat\"} 90.0");
    }

    @Test
    void countsCacheLookupsSavingsAndTheStoreSize() {
        ExchangeSummary miss = ok(false);
        metrics.exchangeFinished(withCache(miss, new CacheUse(CacheResult.MISS, Money.ZERO)));
        metrics.exchangeFinished(withCache(miss, new CacheUse(CacheResult.HIT, Money.ofUsd("0.25"))));
        metrics.exchangeFinished(withCache(miss, new CacheUse(CacheResult.HIT, Money.ofUsd("0.25"))));
        metrics.responseCache(new ResponseCache.CacheStats(3, 4096, 2, 1, 5));
        String text = metrics.scrape();
        assertThat(text).contains("tollgate_cache_requests_total{gen_ai_request_model=\"fast\",result=\"hit\"} 2.0")
                .contains("tollgate_cache_requests_total{gen_ai_request_model=\"fast\",result=\"miss\"} 1.0")
                .contains("tollgate_cache_saved_usd_total{gen_ai_request_model=\"fast\"} 0.5")
                .contains("tollgate_cache_entries 3.0")
                .contains("tollgate_cache_size_bytes 4096.0")
                .contains("tollgate_cache_evictions_total 5.0");
    }

    private static ExchangeSummary withCache(ExchangeSummary s, CacheUse cache) {
        return new ExchangeSummary(s.requestId(), s.route(), s.model(), s.deployment(), s.provider(), s.status(),
                s.outcome(), s.errorKind(), s.stream(), s.latencyNanos(), s.firstTokenNanos(), s.upstreamNanos(),
                s.usage(), s.key(), s.team(), s.user(), s.cost(), s.costEstimated(), s.spendId(), s.routing(), cache);
    }

    @Test
    void requestsThatReachedNoModelGetNoneLabelsAndNoTokenSeries() {
        metrics.exchangeFinished(new ExchangeSummary("req_2", "chat", null, null, null, 404, Outcome.CALLER_ERROR,
                ErrorKind.MODEL_NOT_FOUND, false, 100_000, -1, -1, Usage.UNKNOWN, null, null, null, Money.ZERO, false,
                "req_2", RouteTrace.NONE, null));
        String text = metrics.scrape();
        assertThat(text).contains("error_type=\"model_not_found\"").contains("gen_ai_request_model=\"none\"")
                .contains("status=\"404\"").doesNotContain("gen_ai_client_token_usage")
                .doesNotContain("tollgate_cost_usd_total");
    }

    @Test
    void costIsCountedByModelAndTeamInDollars() {
        metrics.exchangeFinished(ok(false));
        metrics.exchangeFinished(ok(true));
        assertThat(metrics.scrape()).contains(
                "tollgate_cost_usd_total{gen_ai_request_model=\"fast\",team=\"support\"} 0.5");
    }

    @Test
    void quotaDenialsAlertsAndTheLedgerHaveTheirOwnSeries() {
        metrics.quotaDenied("key", "requests");
        metrics.quotaDenied("key", "requests");
        metrics.budgetAlert("team", 0.8);
        metrics.ledgerRows("written", 5);
        metrics.ledgerRows("spilled", 2);
        metrics.ledgerUp(false);
        metrics.budgetLevel("team:support", Money.ofUsd("12.5"), Money.ofUsd("500"));
        metrics.budgetLevel("team:support", Money.ofUsd("13"), Money.ofUsd("500"));
        String text = metrics.scrape();
        assertThat(text).contains("tollgate_quota_denied_total{dimension=\"requests\",scope=\"key\"} 2.0")
                .contains("tollgate_budget_alerts_total{scope=\"team\",threshold=\"0.8\"} 1.0")
                .contains("tollgate_ledger_rows_total{state=\"written\"} 5.0")
                .contains("tollgate_ledger_rows_total{state=\"spilled\"} 2.0")
                .contains("tollgate_ledger_up 0.0")
                .contains("tollgate_budget_spent_usd{scope=\"team:support\"} 13.0")
                .contains("tollgate_budget_limit_usd{scope=\"team:support\"} 500.0");
    }

    @Test
    void requestsRoutedThroughATierOrSplitAreCountedByBoth() {
        metrics.exchangeFinished(new ExchangeSummary("req_3", "chat", "next", "next/mock/m2", "mock", 200,
                Outcome.SUCCESS, null, false, 1_000_000, -1, 900_000, Usage.reported(1, 1), null, null, null,
                Money.ZERO, false, "req_3",
                new RouteTrace(null, null, "canary/next", 1, List.of("next/mock/m2"), false), null));
        metrics.exchangeFinished(ok(false));
        assertThat(metrics.scrape())
                .contains("tollgate_routed_requests_total{gen_ai_request_model=\"next\",tier=\"none\","
                        + "variant=\"canary/next\"} 1.0")
                .doesNotContain("gen_ai_request_model=\"fast\",tier=");
    }

    @Test
    void upstreamAttemptsAreCountedByDeploymentResultAndNextStep() {
        metrics.upstreamAttempt("fast/mock/m1", ErrorKind.PROVIDER_OVERLOADED, NextStep.NEXT_DEPLOYMENT);
        metrics.upstreamAttempt("fast/mock/m1", ErrorKind.PROVIDER_OVERLOADED, NextStep.NEXT_DEPLOYMENT);
        metrics.upstreamAttempt("fast/mock/m2", null, NextStep.NONE);
        assertThat(metrics.scrape())
                .contains("tollgate_upstream_attempts_total{deployment=\"fast/mock/m1\",next=\"next_deployment\","
                        + "result=\"provider_overloaded\"} 2.0")
                .contains("tollgate_upstream_attempts_total{deployment=\"fast/mock/m2\",next=\"none\","
                        + "result=\"ok\"} 1.0");
    }

    @Test
    void aDeploymentShowsOneForItsCurrentStateAndZeroForTheOthers() {
        metrics.deploymentState("fast/mock/m1", DeploymentState.OPEN);
        metrics.deploymentState("fast/mock/m1", DeploymentState.HALF_OPEN);
        metrics.deploymentState("fast/mock/m2", DeploymentState.COOLING);
        String text = metrics.scrape();
        assertThat(text)
                .contains("tollgate_deployment_state{deployment=\"fast/mock/m1\",state=\"half_open\"} 1.0")
                .contains("tollgate_deployment_state{deployment=\"fast/mock/m1\",state=\"open\"} 0.0")
                .contains("tollgate_deployment_state{deployment=\"fast/mock/m1\",state=\"closed\"} 0.0")
                .contains("tollgate_deployment_state{deployment=\"fast/mock/m1\",state=\"cooling\"} 0.0")
                .contains("tollgate_deployment_state{deployment=\"fast/mock/m2\",state=\"cooling\"} 1.0");
        metrics.deploymentState("fast/mock/m1", DeploymentState.CLOSED);
        assertThat(metrics.scrape())
                .contains("tollgate_deployment_state{deployment=\"fast/mock/m1\",state=\"closed\"} 1.0")
                .contains("tollgate_deployment_state{deployment=\"fast/mock/m1\",state=\"half_open\"} 0.0");
    }

    @Test
    void feedbackIsAHistogramOfTheNormalisedScoreByModelTierAndVariant() {
        metrics.feedback("fast", "economy", null, 1);
        metrics.feedback("fast", "economy", null, 0.25);
        metrics.feedback("next", null, "canary/next", 0);
        String text = metrics.scrape();
        assertThat(text)
                .contains("tollgate_feedback_score_count{gen_ai_request_model=\"fast\",tier=\"economy\","
                        + "variant=\"none\"} 2")
                .contains("tollgate_feedback_score_sum{gen_ai_request_model=\"fast\",tier=\"economy\","
                        + "variant=\"none\"} 1.25")
                .contains("tollgate_feedback_score_bucket{gen_ai_request_model=\"fast\",tier=\"economy\","
                        + "variant=\"none\",le=\"0.25\"} 1")
                .contains("tollgate_feedback_score_bucket{gen_ai_request_model=\"next\",tier=\"none\","
                        + "variant=\"canary/next\",le=\"0.0\"} 1");
    }

    @Test
    void reviewSamplesAreCountedByResult() {
        metrics.reviewSamples("written", 3);
        metrics.reviewSamples("dropped", 1);
        assertThat(metrics.scrape())
                .contains("tollgate_review_samples_total{result=\"written\"} 3.0")
                .contains("tollgate_review_samples_total{result=\"dropped\"} 1.0");
    }
}
