package dev.tollgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.cache.CacheResult;
import dev.tollgate.core.cache.CacheUse;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluatorKind;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.core.observe.NextStep;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.spi.Operation;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
    private final PrometheusMetrics metrics = new PrometheusMetrics();

    private static ExchangeSummary ok(boolean stream) {
        return new ExchangeSummary("req_1", "chat", Operation.CHAT, "fast", "m1-2026", "fast/mock/m1", "mock", 200,
                Outcome.SUCCESS, null,
                stream, 2_000_000, stream ? 1_000_000 : -1, 1_500_000, Usage.reported(12, 30), "bot", "support", null,
                Money.ofUsd("0.25"), false, "req_1", RouteTrace.NONE, null, null);
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
                + "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\","
                + "gen_ai_response_model=\"m1-2026\",route=\"chat\",stream=\"false\"} 2");
        assertThat(text).contains("gen_ai_server_time_to_first_token_seconds_count{gen_ai_operation_name=\"chat\","
                + "gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\",route=\"chat\"} 1");
        assertThat(text).contains("gen_ai_client_token_usage_tokens_sum{gen_ai_operation_name=\"chat\","
                + "gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\",gen_ai_token_type=\"output\","
                + "route=\"chat\"} 90.0");
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
        return new ExchangeSummary(s.requestId(), s.route(), s.operation(), s.model(), s.responseModel(),
                s.deployment(), s.provider(), s.status(),
                s.outcome(), s.errorKind(), s.stream(), s.latencyNanos(), s.firstTokenNanos(), s.upstreamNanos(),
                s.usage(), s.key(), s.team(), s.user(), s.cost(), s.costEstimated(), s.spendId(), s.routing(), cache, null);
    }

    @Test
    void requestsThatReachedNoModelGetNoneLabelsAndNoTokenSeries() {
        metrics.exchangeFinished(new ExchangeSummary("req_2", "chat", Operation.CHAT, null, null, null, null, 404,
                Outcome.CALLER_ERROR,
                ErrorKind.MODEL_NOT_FOUND, false, 100_000, -1, -1, Usage.UNKNOWN, null, null, null, Money.ZERO, false,
                "req_2", RouteTrace.NONE, null, null));
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
        metrics.exchangeFinished(new ExchangeSummary("req_3", "chat", Operation.CHAT, "next", "m2", "next/mock/m2",
                "mock", 200,
                Outcome.SUCCESS, null, false, 1_000_000, -1, 900_000, Usage.reported(1, 1), null, null, null,
                Money.ZERO, false, "req_3",
                new RouteTrace(null, null, "canary/next", 1, List.of("next/mock/m2"), false), null, null));
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
    void streamsGetTheTimePerOutputTokenAfterTheFirst() {
        metrics.exchangeFinished(ok(true)); // 1 ms after the first of 30 tokens: 1 ms / 29 each
        metrics.exchangeFinished(ok(false)); // not a stream: no first token, no time per token
        String text = metrics.scrape();
        assertThat(text)
                .contains("gen_ai_server_time_per_output_token_seconds_count{gen_ai_operation_name=\"chat\","
                        + "gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\"} 1")
                .contains("gen_ai_server_time_per_output_token_seconds_sum{gen_ai_operation_name=\"chat\","
                        + "gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\"} 3.4482E-5")
                .contains("gen_ai_server_time_per_output_token_seconds_bucket{gen_ai_operation_name=\"chat\","
                        + "gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\",le=\"0.001\"} 1");
        var oneToken = withUsage(ok(true), Usage.reported(12, 1));
        metrics.exchangeFinished(oneToken); // nothing follows the first token: nothing to spread
        assertThat(metrics.scrape()).contains("gen_ai_server_time_per_output_token_seconds_count{"
                + "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\"} 1");
    }

    @Test
    void overheadIsTheRequestMinusItsUpstreamCallInMicrosecondBuckets() {
        metrics.exchangeFinished(ok(false)); // 2 ms in all, 1.5 ms upstream
        String text = metrics.scrape();
        assertThat(text)
                .contains("tollgate_overhead_seconds_sum{route=\"chat\",stream=\"false\"} 5.0E-4")
                .contains("tollgate_overhead_seconds_bucket{route=\"chat\",stream=\"false\",le=\"1.0E-5\"} 0")
                .contains("tollgate_overhead_seconds_bucket{route=\"chat\",stream=\"false\",le=\"5.0E-4\"} 1")
                .contains("tollgate_overhead_seconds_bucket{route=\"chat\",stream=\"false\",le=\"0.1\"} 1")
                .contains("tollgate_upstream_duration_seconds_sum{deployment=\"fast/mock/m1\","
                        + "gen_ai_provider_name=\"mock\"} 0.0015")
                .contains("tollgate_upstream_duration_seconds_bucket{deployment=\"fast/mock/m1\","
                        + "gen_ai_provider_name=\"mock\",le=\"300.0\"} 1");
    }

    @Test
    void aRefusalThatReachedNoProviderHasNoOverheadOrUpstreamSeries() {
        metrics.exchangeFinished(new ExchangeSummary("req_4", "models", null, null, null, null, null, 401,
                Outcome.CALLER_ERROR, ErrorKind.UNAUTHENTICATED, false, 50_000, -1, -1, Usage.UNKNOWN, null, null,
                null, Money.ZERO, false, "req_4", RouteTrace.NONE, null, null));
        assertThat(metrics.scrape()).doesNotContain("tollgate_overhead_seconds_count")
                .doesNotContain("tollgate_upstream_duration_seconds_count")
                .doesNotContain("tollgate_tokens_total")
                .contains("gen_ai_client_operation_duration_seconds_count{error_type=\"unauthenticated\","
                        + "gen_ai_operation_name=\"none\",gen_ai_provider_name=\"none\",gen_ai_request_model=\"none\","
                        + "gen_ai_response_model=\"none\",route=\"models\",stream=\"false\"} 1");
    }

    @Test
    void aProviderNamingEveryAnswerDifferentlyGetsABoundedNumberOfResponseModelSeries() {
        ExchangeSummary s = ok(false);
        for (int i = 0; i < ExchangeMeters.RESPONSE_MODELS_PER_MODEL + 5; i++) {
            metrics.exchangeFinished(new ExchangeSummary(s.requestId(), s.route(), s.operation(), s.model(),
                    "m1-build-" + i, s.deployment(), s.provider(), s.status(), s.outcome(), s.errorKind(), s.stream(),
                    s.latencyNanos(), s.firstTokenNanos(), s.upstreamNanos(), s.usage(), s.key(), s.team(), s.user(),
                    s.cost(), s.costEstimated(), s.spendId(), s.routing(), s.cache(), null));
        }
        metrics.exchangeFinished(s); // a name not seen before, after the bound: it too is "other"
        String text = metrics.scrape();
        long series = text.lines().filter(l -> l.startsWith("gen_ai_client_operation_duration_seconds_count{")).count();
        assertThat(series).isEqualTo(ExchangeMeters.RESPONSE_MODELS_PER_MODEL + 1);
        assertThat(text).contains("gen_ai_response_model=\"m1-build-0\"")
                .contains("gen_ai_client_operation_duration_seconds_count{error_type=\"none\","
                        + "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"mock\",gen_ai_request_model=\"fast\","
                        + "gen_ai_response_model=\"other\",route=\"chat\",stream=\"false\"} 6")
                .doesNotContain("gen_ai_response_model=\"m1-2026\"");
    }

    @Test
    void tokensAreCountedByTypeModelAndTeam() {
        metrics.exchangeFinished(withUsage(ok(false), new Usage(100, 40, 60, 10, 25, true)));
        metrics.exchangeFinished(withUsage(withKey(ok(false), null, null), new Usage(7, 3, 0, 0, 0, true)));
        String text = metrics.scrape();
        String support = "tollgate_tokens_total{gen_ai_request_model=\"fast\",team=\"support\",type=";
        assertThat(text).contains(support + "\"input\"} 100.0", support + "\"output\"} 40.0",
                support + "\"cached_input\"} 60.0", support + "\"cache_write\"} 10.0",
                support + "\"reasoning\"} 25.0")
                .contains("tollgate_tokens_total{gen_ai_request_model=\"fast\",team=\"none\",type=\"input\"} 7.0");
    }

    @Test
    void keysAreCountedByNameUntilPerKeyLabelsIsTurnedOff() {
        metrics.exchangeFinished(ok(false));
        metrics.exchangeFinished(withKey(ok(false), "ops-bot", null));
        metrics.budgetLevel("key:bot", Money.ofUsd("2"), Money.ofUsd("10"));
        String text = metrics.scrape();
        assertThat(text)
                .contains("tollgate_key_requests_total{key=\"bot\",outcome=\"success\",team=\"support\"} 1.0")
                .contains("tollgate_key_requests_total{key=\"ops-bot\",outcome=\"success\",team=\"none\"} 1.0")
                .contains("tollgate_key_cost_usd_total{key=\"bot\",team=\"support\"} 0.25")
                .contains("tollgate_budget_remaining_usd{scope=\"key:bot\"} 8.0");

        metrics.perKeyLabels(false);
        metrics.exchangeFinished(ok(false));
        metrics.budgetLevel("key:bot", Money.ofUsd("3"), Money.ofUsd("10"));
        metrics.budgetLevel("team:support", Money.ofUsd("3"), Money.ofUsd("10"));
        text = metrics.scrape();
        assertThat(text).doesNotContain("tollgate_key_").doesNotContain("key:bot")
                .contains("tollgate_budget_spent_usd{scope=\"team:support\"} 3.0")
                .contains("tollgate_cost_usd_total{gen_ai_request_model=\"fast\",team=\"support\"} 0.5");

        metrics.perKeyLabels(true);
        metrics.exchangeFinished(ok(false));
        assertThat(metrics.scrape())
                .contains("tollgate_key_requests_total{key=\"bot\",outcome=\"success\",team=\"support\"} 1.0");
    }

    @Test
    void budgetRemainingIsTheLimitLessTheSpendAndNeverBelowZero() {
        metrics.budgetLevel("global", Money.ofUsd("40"), Money.ofUsd("100"));
        metrics.budgetLevel("team:support", Money.ofUsd("120"), Money.ofUsd("100"));
        assertThat(metrics.scrape()).contains("tollgate_budget_remaining_usd{scope=\"global\"} 60.0")
                .contains("tollgate_budget_remaining_usd{scope=\"team:support\"} 0.0");
    }

    @Test
    void aBudgetLeftOutOfACompleteSampleLosesItsGauges() {
        metrics.budgetLevel("global", Money.ofUsd("1"), Money.ofUsd("100"));
        metrics.budgetLevel("team:gone", Money.ofUsd("95"), Money.ofUsd("100"));
        metrics.budgetLevel("key:revoked", Money.ofUsd("4"), Money.ofUsd("5"));
        metrics.budgetsSampled(java.util.Set.of("global", "key:revoked"));
        metrics.budgetsSampled(java.util.Set.of("global"));
        String text = metrics.scrape();
        assertThat(text).contains("tollgate_budget_spent_usd{scope=\"global\"} 1.0")
                .contains("tollgate_budget_remaining_usd{scope=\"global\"} 99.0")
                .doesNotContain("team:gone").doesNotContain("key:revoked");
        metrics.budgetLevel("team:gone", Money.ofUsd("1"), Money.ofUsd("100")); // back in the config
        assertThat(metrics.scrape()).contains("tollgate_budget_limit_usd{scope=\"team:gone\"} 100.0");
    }

    @Test
    void aDeploymentLeftOutOfACompleteSampleLosesItsStateSeries() {
        metrics.deploymentState("fast/mock/m1", DeploymentState.CLOSED);
        metrics.deploymentState("old/mock/m0", DeploymentState.OPEN);
        metrics.deploymentsSampled(java.util.Set.of("fast/mock/m1"));
        String text = metrics.scrape();
        assertThat(text).contains("tollgate_deployment_state{deployment=\"fast/mock/m1\",state=\"closed\"} 1.0")
                .doesNotContain("old/mock/m0");
        metrics.deploymentState("old/mock/m0", DeploymentState.HALF_OPEN); // configured again
        assertThat(metrics.scrape())
                .contains("tollgate_deployment_state{deployment=\"old/mock/m0\",state=\"half_open\"} 1.0");
    }

    @Test
    void inFlightGaugesCountStartedExchangesUntilTheyEnd() {
        metrics.exchangeStarted(false);
        metrics.exchangeStarted(true);
        metrics.exchangeStarted(true);
        assertThat(metrics.scrape()).contains("tollgate_inflight_requests 3.0").contains("tollgate_inflight_streams 2.0");
        metrics.exchangeEnded(true);
        metrics.exchangeEnded(false);
        assertThat(metrics.scrape()).contains("tollgate_inflight_requests 1.0").contains("tollgate_inflight_streams 1.0");
    }

    @Test
    void theScrapeIsOpenMetricsOnlyWhenAsked() {
        metrics.exchangeFinished(ok(false));
        Exposition open = metrics.scrape("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertThat(open.contentType()).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(open.body()).endsWith("# EOF\n").contains("# TYPE tollgate_requests counter");
        for (String accept : new String[] {null, "*/*", "text/plain"}) {
            Exposition text = metrics.scrape(accept);
            assertThat(text.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(text.body()).doesNotContain("# EOF").contains("# TYPE tollgate_requests_total counter");
        }
    }

    @Test
    void openMetricsGoesOnlyToAScraperThatWeighsItAtLeastAsHighAsText() {
        String openMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";
        String text = "text/plain; version=0.0.4; charset=utf-8";
        // Prometheus 3's default header, parameters and all.
        assertThat(metrics.scrape("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;"
                + "q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2").contentType()).isEqualTo(openMetrics);
        assertThat(metrics.scrape("Application/OpenMetrics-Text").contentType()).isEqualTo(openMetrics);
        assertThat(metrics.scrape("application/openmetrics-text, text/plain").contentType()).isEqualTo(openMetrics);
        // q=0 means "not acceptable"; a higher weight on the text format (named, or through a wildcard) wins.
        assertThat(metrics.scrape("application/openmetrics-text;q=0, text/plain").contentType()).isEqualTo(text);
        assertThat(metrics.scrape("application/openmetrics-text; q=0").contentType()).isEqualTo(text);
        assertThat(metrics.scrape("text/plain;version=0.0.4, application/openmetrics-text;q=0.5").contentType())
                .isEqualTo(text);
        assertThat(metrics.scrape("application/openmetrics-text;q=0.5, text/*;q=0.9").contentType())
                .isEqualTo(text);
        assertThat(metrics.scrape("application/openmetrics-text;q=0.5, */*").contentType()).isEqualTo(text);
        assertThat(metrics.scrape("application/openmetrics-text;q=oops, text/plain;q=0.1").contentType())
                .isEqualTo(text);
        // A lower weight on text is still a preference for OpenMetrics, and a wildcard is no stronger than it says.
        assertThat(metrics.scrape("application/openmetrics-text;q=0.5, text/plain;q=0.1, */*").contentType())
                .isEqualTo(openMetrics);
    }

    @Test
    void runtimeGaugesReadTheJvmAndTheServersProbes() {
        var pending = new AtomicLong(3);
        metrics.bindRuntime(new RuntimeProbes(() -> 17, () -> 4096, () -> 65536, pending::get, () -> 40, () -> 2,
                () -> 1));
        try {
            pending.set(5);
            String text = metrics.scrape();
            assertThat(text).contains("tollgate_ledger_queue_rows 17.0")
                    .contains("tollgate_netty_allocator_used_bytes{memory=\"heap\"} 4096.0")
                    .contains("tollgate_netty_allocator_used_bytes{memory=\"direct\"} 65536.0")
                    .contains("tollgate_event_loop_pending_tasks 5.0")
                    .contains("tollgate_trace_spans_total{result=\"exported\"} 40.0")
                    .contains("tollgate_trace_spans_total{result=\"failed\"} 2.0")
                    .contains("tollgate_trace_spans_total{result=\"dropped\"} 1.0")
                    .contains("jvm_memory_used_bytes{area=\"heap\"", "jvm_threads_live_threads ",
                            "process_cpu_usage ", "system_cpu_usage ", "process_uptime_seconds ");
            assertThatThrownBy(() -> metrics.bindRuntime(new RuntimeProbes(() -> 0, () -> 0, () -> 0, () -> 0, () -> 0,
                    () -> 0, () -> 0)))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            metrics.close();
        }
    }

    private static ExchangeSummary withUsage(ExchangeSummary s, Usage usage) {
        return new ExchangeSummary(s.requestId(), s.route(), s.operation(), s.model(), s.responseModel(),
                s.deployment(), s.provider(), s.status(), s.outcome(), s.errorKind(), s.stream(), s.latencyNanos(),
                s.firstTokenNanos(), s.upstreamNanos(), usage, s.key(), s.team(), s.user(), s.cost(),
                s.costEstimated(), s.spendId(), s.routing(), s.cache(), null);
    }

    private static ExchangeSummary withKey(ExchangeSummary s, String key, String team) {
        return new ExchangeSummary(s.requestId(), s.route(), s.operation(), s.model(), s.responseModel(),
                s.deployment(), s.provider(), s.status(), s.outcome(), s.errorKind(), s.stream(), s.latencyNanos(),
                s.firstTokenNanos(), s.upstreamNanos(), s.usage(), key, team, s.user(), s.cost(), s.costEstimated(),
                s.spendId(), s.routing(), s.cache(), null);
    }

    @Test
    void feedbackIsAHistogramOfTheNormalisedScoreByModelTierAndVariant() {
        metrics.feedback("fast", "economy", null, null, 1);
        metrics.feedback("fast", "economy", null, null, 0.25);
        metrics.feedback("next", null, "canary/next", new PromptUse("support", 2, "production", "tone", "b"), 0);
        String text = metrics.scrape();
        String noPrompt = "prompt=\"none\",prompt_version=\"none\",";
        assertThat(text)
                .contains("tollgate_feedback_score_count{experiment=\"none\",gen_ai_request_model=\"fast\","
                        + noPrompt + "tier=\"economy\",variant=\"none\"} 2")
                .contains("tollgate_feedback_score_sum{experiment=\"none\",gen_ai_request_model=\"fast\","
                        + noPrompt + "tier=\"economy\",variant=\"none\"} 1.25")
                .contains("tollgate_feedback_score_bucket{experiment=\"none\",gen_ai_request_model=\"fast\","
                        + noPrompt + "tier=\"economy\",variant=\"none\",le=\"0.25\"} 1")
                .contains("tollgate_feedback_score_bucket{experiment=\"tone/b\",gen_ai_request_model=\"next\","
                        + "prompt=\"support\",prompt_version=\"2\",tier=\"none\",variant=\"canary/next\","
                        + "le=\"0.0\"} 1");
    }

    @Test
    void promptRequestsAreCountedTimedAndCostedByVersionAndExperimentArm() {
        var arm = new PromptUse("support", 2, "production", "tone", "b");
        ExchangeSummary s = ok(false);
        metrics.exchangeFinished(withPrompt(s, arm));
        metrics.exchangeFinished(withPrompt(s, arm));
        metrics.exchangeFinished(withPrompt(s, new PromptUse("support", 1, null, null, null)));
        metrics.exchangeFinished(s);
        String series = "experiment=\"tone/b\",prompt=\"support\",prompt_version=\"2\"";
        assertThat(metrics.scrape())
                .contains("tollgate_prompt_requests_total{experiment=\"tone/b\",outcome=\"success\",prompt=\"support\","
                        + "prompt_version=\"2\"} 2.0")
                .contains("tollgate_prompt_requests_total{experiment=\"none\",outcome=\"success\",prompt=\"support\","
                        + "prompt_version=\"1\"} 1.0")
                .contains("tollgate_prompt_tokens_total{" + series + ",type=\"input\"} 24.0")
                .contains("tollgate_prompt_tokens_total{" + series + ",type=\"output\"} 60.0")
                .contains("tollgate_prompt_cost_usd_total{" + series + "} 0.5")
                .contains("tollgate_prompt_duration_seconds_count{" + series + "} 2");
    }

    @Test
    void tokenCountingWithAPromptIsLeftOutOfThePromptSeries() {
        ExchangeSummary s = ok(false);
        metrics.exchangeFinished(new ExchangeSummary(s.requestId(), "count_tokens", Operation.COUNT_TOKENS,
                s.model(), s.responseModel(), s.deployment(), s.provider(), s.status(), s.outcome(), s.errorKind(),
                false, s.latencyNanos(), -1, s.upstreamNanos(), s.usage(), s.key(), s.team(), s.user(), Money.ZERO,
                true, s.spendId(), s.routing(), s.cache(), new PromptUse("support", 1, null, null, null)));
        assertThat(metrics.scrape()).contains("route=\"count_tokens\"").doesNotContain("tollgate_prompt_");
    }

    private static ExchangeSummary withPrompt(ExchangeSummary s, PromptUse prompt) {
        return new ExchangeSummary(s.requestId(), s.route(), s.operation(), s.model(), s.responseModel(),
                s.deployment(), s.provider(), s.status(), s.outcome(), s.errorKind(), s.stream(), s.latencyNanos(),
                s.firstTokenNanos(), s.upstreamNanos(), s.usage(), s.key(), s.team(), s.user(), s.cost(),
                s.costEstimated(), s.spendId(), s.routing(), s.cache(), prompt);
    }

    @Test
    void reviewSamplesAreCountedByResult() {
        metrics.reviewSamples("written", 3);
        metrics.reviewSamples("dropped", 1);
        assertThat(metrics.scrape())
                .contains("tollgate_review_samples_total{result=\"written\"} 3.0")
                .contains("tollgate_review_samples_total{result=\"dropped\"} 1.0");
    }

    private static final RequestFacts SERVED = new RequestFacts("req_9", "spend_9", Instant.EPOCH, "bot", "support",
            "fast", null, null, null);
    private static final RequestFacts PROMPTED = new RequestFacts("req_10", "spend_10", Instant.EPOCH, "bot",
            "support", "next", "economy", "canary/next", new PromptUse("support", 2, "production", "tone", "b"));
    private static final String FAST_SERIES = "evaluator=\"faithfulness\",experiment=\"none\","
            + "gen_ai_request_model=\"fast\",prompt=\"none\",prompt_version=\"none\",rubric=\"faithfulness\","
            + "tier=\"none\",variant=\"none\"";

    private static EvaluationResult judged(RequestFacts request, EvalOutcome outcome, Double score, boolean flagged,
                                           String cost) {
        return new EvaluationResult(request, Instant.EPOCH, "faithfulness", EvaluatorKind.JUDGE, "faithfulness",
                outcome, score, flagged, null, null, null, Money.ofUsd(cost), null);
    }

    @Test
    void evaluationsAreCountedByEvaluatorRubricKindAndOutcome() {
        metrics.evaluated(judged(SERVED, EvalOutcome.SCORED, 1.0, false, "0"));
        metrics.evaluated(judged(SERVED, EvalOutcome.SCORED, 0.75, false, "0"));
        metrics.evaluated(judged(SERVED, EvalOutcome.UNPARSEABLE, null, false, "0"));
        metrics.evaluated(judged(SERVED, EvalOutcome.REFUSED, null, false, "0"));
        metrics.evaluated(judged(SERVED, EvalOutcome.FAILED, null, false, "0"));
        String counted = "tollgate_evaluations_total{evaluator=\"faithfulness\",kind=\"judge\",outcome=";
        assertThat(metrics.scrape())
                .contains(counted + "\"scored\",rubric=\"faithfulness\"} 2.0")
                .contains(counted + "\"unparseable\",rubric=\"faithfulness\"} 1.0")
                .contains(counted + "\"refused\",rubric=\"faithfulness\"} 1.0")
                .contains(counted + "\"failed\",rubric=\"faithfulness\"} 1.0");
    }

    @Test
    void scoresAreAHistogramInTenthsAndQuartersWithTheFlaggedCountedBesideThem() {
        metrics.evaluated(judged(SERVED, EvalOutcome.SCORED, 1.0, false, "0"));
        metrics.evaluated(judged(SERVED, EvalOutcome.SCORED, 0.25, true, "0"));
        metrics.evaluated(judged(SERVED, EvalOutcome.SCORED, 0.0, true, "0"));
        metrics.evaluated(judged(SERVED, EvalOutcome.UNPARSEABLE, null, false, "0")); // no score: not observed
        String text = metrics.scrape();
        assertThat(text)
                .contains("tollgate_evaluation_score_count{" + FAST_SERIES + "} 3")
                .contains("tollgate_evaluation_score_sum{" + FAST_SERIES + "} 1.25")
                .contains("tollgate_evaluation_score_bucket{" + FAST_SERIES + ",le=\"0.0\"} 1")
                .contains("tollgate_evaluation_score_bucket{" + FAST_SERIES + ",le=\"0.2\"} 1")
                .contains("tollgate_evaluation_score_bucket{" + FAST_SERIES + ",le=\"0.25\"} 2")
                .contains("tollgate_evaluation_score_bucket{" + FAST_SERIES + ",le=\"0.9\"} 2")
                .contains("tollgate_evaluation_score_bucket{" + FAST_SERIES + ",le=\"1.0\"} 3")
                .contains("tollgate_evaluation_flagged_total{" + FAST_SERIES + "} 2.0");
        long buckets = text.lines().filter(l -> l.startsWith("tollgate_evaluation_score_bucket{" + FAST_SERIES)).count();
        assertThat(buckets).isEqualTo(Buckets.SCORE.length + 1); // and +Inf
    }

    @Test
    void aSeriesThatNeverFlaggedReadsZeroFlaggedAndUnscoredResultsMakeNoScoreSeries() {
        metrics.evaluated(judged(SERVED, EvalOutcome.SCORED, 0.9, false, "0"));
        metrics.evaluated(judged(PROMPTED, EvalOutcome.FAILED, null, false, "0"));
        String text = metrics.scrape();
        assertThat(text).contains("tollgate_evaluation_flagged_total{" + FAST_SERIES + "} 0.0")
                .doesNotContain("gen_ai_request_model=\"next\"");
    }

    @Test
    void scoresCarryTheTierSplitPromptVersionAndExperimentArmOfTheScoredRequest() {
        metrics.evaluated(judged(PROMPTED, EvalOutcome.SCORED, 0.5, true, "0"));
        metrics.evaluated(new EvaluationResult(SERVED, Instant.EPOCH, "leaks", EvaluatorKind.GUARDRAIL, "guardrail",
                EvalOutcome.SCORED, 0.0, true, null, null, null, Money.ZERO, null));
        String prompted = "evaluator=\"faithfulness\",experiment=\"tone/b\",gen_ai_request_model=\"next\","
                + "prompt=\"support\",prompt_version=\"2\",rubric=\"faithfulness\",tier=\"economy\","
                + "variant=\"canary/next\"";
        assertThat(metrics.scrape())
                .contains("tollgate_evaluation_score_count{" + prompted + "} 1")
                .contains("tollgate_evaluation_flagged_total{" + prompted + "} 1.0")
                .contains("tollgate_evaluation_flagged_total{evaluator=\"leaks\",experiment=\"none\","
                        + "gen_ai_request_model=\"fast\",prompt=\"none\",prompt_version=\"none\","
                        + "rubric=\"guardrail\",tier=\"none\",variant=\"none\"} 1.0")
                .contains("tollgate_evaluations_total{evaluator=\"leaks\",kind=\"guardrail\",outcome=\"scored\","
                        + "rubric=\"guardrail\"} 1.0");
    }

    @Test
    void evaluationCostIsCountedInDollarsByEvaluatorOnlyOnceSomethingCost() {
        metrics.evaluated(judged(SERVED, EvalOutcome.SCORED, 1.0, false, "0.002"));
        metrics.evaluated(judged(SERVED, EvalOutcome.FAILED, null, false, "0.0005"));
        metrics.evaluated(new EvaluationResult(SERVED, Instant.EPOCH, "helpfulness", EvaluatorKind.FEEDBACK,
                "feedback", EvalOutcome.SCORED, 1.0, false, null, null, null, Money.ZERO, null));
        assertThat(metrics.scrape())
                .contains("tollgate_evaluation_cost_usd_total{evaluator=\"faithfulness\"} 0.0025")
                .doesNotContain("tollgate_evaluation_cost_usd_total{evaluator=\"helpfulness\"}");
    }

    @Test
    void skippedEvaluationsTheQueueAndBiasDivergenceHaveTheirOwnSeries() {
        assertThat(metrics.scrape()).contains("tollgate_evaluation_queue_depth 0.0");
        metrics.evaluationsSkipped("faithfulness", "queue_full", 3);
        metrics.evaluationsSkipped("faithfulness", "queue_full", 2);
        metrics.evaluationsSkipped("stable", "too_large", 1);
        metrics.evaluationQueue(17);
        metrics.biasDivergence("fairness", "fast", "gender", 0.125);
        metrics.biasDivergence("fairness", "fast", "gender", 0.05); // a later run replaces the reading
        metrics.biasDivergence("fairness", "next", "age", 0.3);
        assertThat(metrics.scrape())
                .contains("tollgate_evaluations_skipped_total{evaluator=\"faithfulness\",reason=\"queue_full\"} 5.0")
                .contains("tollgate_evaluations_skipped_total{evaluator=\"stable\",reason=\"too_large\"} 1.0")
                .contains("tollgate_evaluation_queue_depth 17.0")
                .contains("tollgate_evaluation_bias_divergence{attribute=\"gender\",evaluator=\"fairness\","
                        + "gen_ai_request_model=\"fast\"} 0.05")
                .contains("tollgate_evaluation_bias_divergence{attribute=\"age\",evaluator=\"fairness\","
                        + "gen_ai_request_model=\"next\"} 0.3");
        metrics.evaluationQueue(0);
        assertThat(metrics.scrape()).contains("tollgate_evaluation_queue_depth 0.0");
    }
}
