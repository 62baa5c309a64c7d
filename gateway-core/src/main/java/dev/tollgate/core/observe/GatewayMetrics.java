package dev.tollgate.core.observe;

import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.guard.GuardStage;
import dev.tollgate.core.guard.Verdict;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import java.util.List;
import java.util.Set;

/**
 * The metrics port. Implementations must be cheap and non-blocking: they are called on event-loop threads,
 * once per finished exchange.
 */
public interface GatewayMetrics {
    /**
     * A client request began its exchange with a model (it decoded; refusals before that never start one). Each
     * call is paired with one {@link #exchangeEnded} with the same {@code stream}: together they make the
     * in-flight gauges.
     *
     * @param stream whether the client asked for a streamed answer
     */
    void exchangeStarted(boolean stream);

    /** An exchange {@link #exchangeStarted} counted is over, however it ended. */
    void exchangeEnded(boolean stream);

    void exchangeFinished(ExchangeSummary summary);

    /**
     * A request refused by a limit or budget before it was sent.
     *
     * @param scopeKind {@code key}, {@code team}, {@code user}, {@code deployment} or {@code global}
     * @param dimension {@code requests}, {@code tokens}, {@code concurrent} or {@code budget}
     */
    void quotaDenied(String scopeKind, String dimension);

    /** A budget crossed an alert threshold (a fraction of its limit). */
    void budgetAlert(String scopeKind, double threshold);

    /**
     * Spend-ledger rows that changed state, off the request path.
     *
     * @param state {@code written}, {@code spilled}, {@code replayed} or {@code lost}
     */
    void ledgerRows(String state, long rows);

    /** Whether the ledger's database answers (false while rows go to the spill file). */
    void ledgerUp(boolean up);

    /**
     * A budget as it stands (sampled off the request path): what was spent in the current period and the limit.
     * End users are left out (there can be too many of them for metric labels), and so are keys while the config
     * keeps them out of labels ({@code metrics.per_key_labels}).
     *
     * @param scope {@code global}, {@code team:<name>} or {@code key:<name>}
     */
    void budgetLevel(String scope, Money spent, Money limit);

    /**
     * A sample of the budgets ended, with {@link #budgetLevel} called for each of {@code scopes}. Any other scope's
     * level is dropped (a team or key removed from the config, a key revoked, a budget taken away), so neither a
     * dashboard nor an alert keeps reading a budget that no longer exists.
     */
    void budgetsSampled(Set<String> scopes);

    /**
     * One upstream attempt of a request ended.
     *
     * @param deployment the deployment id
     * @param failure how it failed, or null when it answered
     * @param next what the request did next
     */
    void upstreamAttempt(String deployment, ErrorKind failure, NextStep next);

    /** Whether a deployment can take requests: on each change, and sampled off the request path. */
    void deploymentState(String deployment, DeploymentState state);

    /**
     * A sample of the deployments' states ended, with {@link #deploymentState} called for each of
     * {@code deployments}: any other deployment (removed from the config) loses its state, so an alert on an open
     * circuit does not keep firing for a deployment that is gone.
     */
    void deploymentsSampled(Set<String> deployments);

    /**
     * A config reload ended, off the request path.
     *
     * @param result {@code applied}, {@code unchanged} or {@code rejected}
     * @param version the config version in force after it
     * @param restartPending whether the config in force holds settings that apply only at the next restart
     */
    void configReloaded(String result, int version, boolean restartPending);

    /** The response cache's size and counts, sampled off the request path. */
    void responseCache(ResponseCache.CacheStats stats);

    /**
     * A caller rated a request. Labels come from config (the model group, tier and split variant the request went
     * through), never from the caller.
     *
     * @param tier null when the request went through no tier
     * @param variant null when no split assigned it
     * @param prompt the registry prompt the request rendered, or null
     * @param score 0 (worst) to 1 (best)
     */
    void feedback(String model, String tier, String variant, PromptUse prompt, double score);

    /**
     * Review samples that left the review queue, off the request path.
     *
     * @param result {@code written}, or {@code dropped} (the queue was full or the database failed)
     */
    void reviewSamples(String result, long samples);

    /**
     * One stage of a request's guardrails ran (the request before it is sent, or the answer, streamed or whole).
     *
     * @param verdicts one per guardrail that ran: its config name and result (pass, flag, redact or block)
     * @param nanos how long the screening took
     */
    void guardrailsChecked(GuardStage stage, List<Verdict> verdicts, long nanos);

    /**
     * One evaluation of a request (or a bias probe pair) ended, off the request path: counted by outcome, and a
     * score observed and counted as flagged or not. Labels come from config (the evaluator, its rubric, the model
     * group, tier, prompt version and experiment arm the request went through), never from a caller or a judge.
     */
    void evaluated(EvaluationResult result);

    /**
     * Sampled work that was never evaluated, off the request path (or on it, for a full queue: one counter bump).
     *
     * @param reason {@code queue_full} (the background queue was full), {@code unreadable} (the request or answer
     *     could not be read as text), {@code too_large} (a request too big to ask again), {@code shutdown}
     */
    void evaluationsSkipped(String evaluator, String reason, long count);

    /** How many sampled requests wait to be scored: on each change of the background queue. */
    void evaluationQueue(int depth);

    /**
     * A bias probe run ended for one model group: the mean divergence (1 minus similarity) of its pairs per
     * demographic attribute. A gauge, since runs are hours apart.
     */
    void biasDivergence(String evaluator, String model, String attribute, double divergence);
}
