package dev.tollgate.server.testing;

import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.guard.GuardStage;
import dev.tollgate.core.guard.Verdict;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.observe.NextStep;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import java.util.List;
import java.util.Set;

/** A metrics port that records nothing; tests extend it to keep the one kind of event they check. */
public class NoMetrics implements GatewayMetrics {
    @Override
    public void exchangeStarted(boolean stream) {}

    @Override
    public void exchangeEnded(boolean stream) {}

    @Override
    public void exchangeFinished(ExchangeSummary summary) {}

    @Override
    public void quotaDenied(String scopeKind, String dimension) {}

    @Override
    public void budgetAlert(String scopeKind, double threshold) {}

    @Override
    public void ledgerRows(String state, long rows) {}

    @Override
    public void ledgerUp(boolean up) {}

    @Override
    public void budgetLevel(String scope, Money spent, Money limit) {}

    @Override
    public void budgetsSampled(Set<String> scopes) {}

    @Override
    public void upstreamAttempt(String deployment, ErrorKind failure, NextStep next) {}

    @Override
    public void deploymentState(String deployment, DeploymentState state) {}

    @Override
    public void deploymentsSampled(Set<String> deployments) {}

    @Override
    public void configReloaded(String result, int version, boolean restartPending) {}

    @Override
    public void responseCache(ResponseCache.CacheStats stats) {}

    @Override
    public void feedback(String model, String tier, String variant, PromptUse prompt, double score) {}

    @Override
    public void reviewSamples(String result, long samples) {}

    @Override
    public void guardrailsChecked(GuardStage stage, List<Verdict> verdicts, long nanos) {}

    @Override
    public void evaluated(EvaluationResult result) {}

    @Override
    public void evaluationsSkipped(String evaluator, String reason, long count) {}

    @Override
    public void evaluationQueue(int depth) {}

    @Override
    public void biasDivergence(String evaluator, String model, String attribute, double divergence) {}
}
