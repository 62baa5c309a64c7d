package dev.tollgate.metrics;

import static dev.tollgate.metrics.MeterNames.ATTRIBUTE;
import static dev.tollgate.metrics.MeterNames.BIAS_DIVERGENCE;
import static dev.tollgate.metrics.MeterNames.BUDGET_ALERTS;
import static dev.tollgate.metrics.MeterNames.BUDGET_LIMIT;
import static dev.tollgate.metrics.MeterNames.BUDGET_REMAINING;
import static dev.tollgate.metrics.MeterNames.BUDGET_SPENT;
import static dev.tollgate.metrics.MeterNames.CACHE_ENTRIES;
import static dev.tollgate.metrics.MeterNames.CACHE_EVICTIONS;
import static dev.tollgate.metrics.MeterNames.CACHE_SIZE;
import static dev.tollgate.metrics.MeterNames.CONFIG_RELOADS;
import static dev.tollgate.metrics.MeterNames.CONFIG_RESTART_PENDING;
import static dev.tollgate.metrics.MeterNames.CONFIG_VERSION;
import static dev.tollgate.metrics.MeterNames.DEPLOYMENT;
import static dev.tollgate.metrics.MeterNames.DEPLOYMENT_STATE;
import static dev.tollgate.metrics.MeterNames.DIMENSION;
import static dev.tollgate.metrics.MeterNames.EVALUATIONS;
import static dev.tollgate.metrics.MeterNames.EVALUATIONS_SKIPPED;
import static dev.tollgate.metrics.MeterNames.EVALUATION_COST;
import static dev.tollgate.metrics.MeterNames.EVALUATION_FLAGGED;
import static dev.tollgate.metrics.MeterNames.EVALUATION_QUEUE;
import static dev.tollgate.metrics.MeterNames.EVALUATION_SCORE;
import static dev.tollgate.metrics.MeterNames.EVALUATOR;
import static dev.tollgate.metrics.MeterNames.EVENT_LOOP_PENDING_TASKS;
import static dev.tollgate.metrics.MeterNames.EXPERIMENT;
import static dev.tollgate.metrics.MeterNames.FEEDBACK_SCORE;
import static dev.tollgate.metrics.MeterNames.GUARDRAIL;
import static dev.tollgate.metrics.MeterNames.GUARDRAIL_CHECKS;
import static dev.tollgate.metrics.MeterNames.GUARDRAIL_DURATION;
import static dev.tollgate.metrics.MeterNames.NONE;
import static dev.tollgate.metrics.MeterNames.PROMPT;
import static dev.tollgate.metrics.MeterNames.PROMPT_VERSION;
import static dev.tollgate.metrics.MeterNames.INFLIGHT_REQUESTS;
import static dev.tollgate.metrics.MeterNames.INFLIGHT_STREAMS;
import static dev.tollgate.metrics.MeterNames.KIND;
import static dev.tollgate.metrics.MeterNames.LEDGER_QUEUE;
import static dev.tollgate.metrics.MeterNames.LEDGER_ROWS;
import static dev.tollgate.metrics.MeterNames.LEDGER_UP;
import static dev.tollgate.metrics.MeterNames.MEMORY;
import static dev.tollgate.metrics.MeterNames.MODEL;
import static dev.tollgate.metrics.MeterNames.NETTY_ALLOCATOR_USED;
import static dev.tollgate.metrics.MeterNames.NEXT;
import static dev.tollgate.metrics.MeterNames.OUTCOME;
import static dev.tollgate.metrics.MeterNames.QUOTA_DENIED;
import static dev.tollgate.metrics.MeterNames.REASON;
import static dev.tollgate.metrics.MeterNames.RESULT;
import static dev.tollgate.metrics.MeterNames.REVIEW_SAMPLES;
import static dev.tollgate.metrics.MeterNames.RUBRIC;
import static dev.tollgate.metrics.MeterNames.SCOPE;
import static dev.tollgate.metrics.MeterNames.STAGE;
import static dev.tollgate.metrics.MeterNames.STATE;
import static dev.tollgate.metrics.MeterNames.THRESHOLD;
import static dev.tollgate.metrics.MeterNames.TIER;
import static dev.tollgate.metrics.MeterNames.TRACE_SPANS;
import static dev.tollgate.metrics.MeterNames.UPSTREAM_ATTEMPTS;
import static dev.tollgate.metrics.MeterNames.VARIANT;

import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluatorKind;
import dev.tollgate.core.guard.GuardStage;
import dev.tollgate.core.guard.Verdict;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.observe.NextStep;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The gateway's meters in a Prometheus registry. The request path ({@link #exchangeStarted}, {@link #exchangeEnded},
 * {@link #exchangeFinished}) runs on event loops, three calls per request, and is lock-free: see
 * {@link ExchangeMeters}. Every label value comes from config or from closed sets, never from a client.
 *
 * <p>{@link #bindRuntime} adds the JVM's and the server's own gauges once the server is up; {@link #close} releases
 * what they hold.
 */
public final class PrometheusMetrics implements GatewayMetrics, AutoCloseable {
    /** The content types {@link PrometheusMeterRegistry#scrape(String)} writes; it picks its writer by them. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String KEY_SCOPE_PREFIX = "key:";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ExchangeMeters exchanges = new ExchangeMeters(registry);
    private final KeySeries keys = new KeySeries(registry);
    /** Counters off the request path (ledger rows, reloads, alerts), keyed by name and tags. */
    private final ConcurrentHashMap<Tags, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Attempt, Counter> attempts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Denial, Counter> denials = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Verdict, Counter> guardrailChecks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<GuardStage, Timer> guardrailDurations = new ConcurrentHashMap<>();
    private final LongAdder inflightRequests = new LongAdder();
    private final LongAdder inflightStreams = new LongAdder();
    private final Histogram feedback = scoreHistogram(FEEDBACK_SCORE, "Callers' feedback on answers, normalised to 0 "
            + "(worst) .. 1 (best), by model group, tier, split variant, registry prompt and version, and experiment arm",
            Buckets.FEEDBACK);
    private final Histogram evaluationScores = scoreHistogram(EVALUATION_SCORE, "Evaluation scores of sampled "
            + "requests and bias probes, 0 (worst) .. 1 (best), by evaluator and rubric, and by model group, tier, "
            + "split variant, registry prompt and version, and experiment arm", Buckets.SCORE, EVALUATOR, RUBRIC);
    private final ConcurrentHashMap<Evaluation, Counter> evaluations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ScoreSeries, Counter> flagged = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Skip, Counter> skipped = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> evaluationCost = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<BiasSeries, Divergence> divergences = new ConcurrentHashMap<>();
    private final AtomicInteger evaluationQueue = new AtomicInteger();
    private final AtomicInteger ledgerUp = new AtomicInteger(1);
    private final AtomicInteger configVersion = new AtomicInteger(1);
    private final AtomicInteger restartPending = new AtomicInteger();
    private final ConcurrentHashMap<String, BudgetLevel> budgets = new ConcurrentHashMap<>();
    /** The response cache's latest sample; its gauges and eviction counter read it. */
    private volatile ResponseCache.CacheStats cacheStats = new ResponseCache.CacheStats(0, 0, 0, 0, 0);
    /** The current state of each deployment, by id; its state gauges read it. */
    private final ConcurrentHashMap<String, StateGauges> deploymentStates = new ConcurrentHashMap<>();
    /** Set by {@link #bindRuntime}: it holds a listener on the JVM's collectors until closed. */
    private volatile JvmGcMetrics gcMetrics;

    public PrometheusMetrics() {
        Gauge.builder(LEDGER_UP, ledgerUp, AtomicInteger::get)
                .description("1 while the spend ledger's database answers, 0 while rows go to the spill file")
                .register(registry);
        Gauge.builder(CONFIG_VERSION, configVersion, AtomicInteger::get)
                .description("The config version in force (1 is the one the process started with)")
                .register(registry);
        Gauge.builder(CONFIG_RESTART_PENDING, restartPending, AtomicInteger::get)
                .description("1 while the config in force holds settings that apply only at the next restart")
                .register(registry);
        Gauge.builder(CACHE_ENTRIES, this, m -> m.cacheStats.entries())
                .description("Answers held by the response cache").register(registry);
        Gauge.builder(CACHE_SIZE, this, m -> m.cacheStats.bytes()).baseUnit("bytes")
                .description("Estimated size of the answers held by the response cache").register(registry);
        FunctionCounter.builder(CACHE_EVICTIONS, this, m -> m.cacheStats.evictions())
                .description("Answers the response cache dropped, to stay within its size or because they expired")
                .register(registry);
        Gauge.builder(INFLIGHT_REQUESTS, inflightRequests, LongAdder::sum)
                .description("Requests to a model being served now, streams included").register(registry);
        Gauge.builder(INFLIGHT_STREAMS, inflightStreams, LongAdder::sum)
                .description("Streamed requests being served now").register(registry);
        Gauge.builder(EVALUATION_QUEUE, evaluationQueue, AtomicInteger::get)
                .description("Sampled requests waiting to be evaluated").register(registry);
    }

    /**
     * Adds the gauges of the process: the JVM's (memory, collections, threads, CPU, uptime, from Micrometer's
     * binders) and the server's own ({@code probes}). Call once, when the server is up.
     */
    public synchronized void bindRuntime(RuntimeProbes probes) {
        if (gcMetrics != null) {
            throw new IllegalStateException("the runtime gauges are bound already");
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        var gc = new JvmGcMetrics();
        gc.bindTo(registry);
        gcMetrics = gc;
        probe(LEDGER_QUEUE, "rows", "Spend-ledger rows waiting to be written", probes.ledgerQueueRows(), Tags.empty());
        probe(NETTY_ALLOCATOR_USED, "bytes", "Memory the network buffer allocator holds, heap or direct",
                probes.allocatorHeapBytes(), Tags.of(MEMORY, "heap"));
        probe(NETTY_ALLOCATOR_USED, "bytes", "Memory the network buffer allocator holds, heap or direct",
                probes.allocatorDirectBytes(), Tags.of(MEMORY, "direct"));
        probe(EVENT_LOOP_PENDING_TASKS, null, "Tasks waiting on the event loops, summed over the loops",
                probes.eventLoopPendingTasks(), Tags.empty());
        spans("exported", probes.spansExported());
        spans("failed", probes.spansFailed());
        spans("dropped", probes.spansDropped());
    }

    private void spans(String result, LongSupplier count) {
        // Weakly held by the registry: tied to this object, which lives as long as the registry, not to the
        // supplier, which nothing else may hold.
        FunctionCounter.builder(TRACE_SPANS, this, m -> count.getAsLong())
                .description("Trace spans by what became of them: exported, failed (the export failed) or dropped "
                        + "(the export queue was full)")
                .tag(RESULT, result).register(registry);
    }

    private void probe(String name, String unit, String description, LongSupplier reading, Tags tags) {
        // A strong reference: the supplier is often a lambda nothing else holds.
        Gauge.builder(name, reading, r -> r.getAsLong()).strongReference(true).baseUnit(unit)
                .description(description).tags(tags).register(registry);
    }

    /** Stops the collectors' listener {@link #bindRuntime} added. */
    @Override
    public synchronized void close() {
        if (gcMetrics != null) {
            gcMetrics.close();
        }
    }

    /**
     * Whether virtual keys get series of their own ({@code metrics.per_key_labels}); turning it off removes them.
     * Called at start and on every reload.
     */
    public void perKeyLabels(boolean on) {
        keys.on(on);
        if (!on) {
            removeKeyBudgets();
        }
    }

    private void removeKeyBudgets() {
        removeBudgets(scope -> scope.startsWith(KEY_SCOPE_PREFIX));
    }

    private void removeBudgets(Predicate<String> scopes) {
        for (var it = budgets.entrySet().iterator(); it.hasNext(); ) {
            var budget = it.next();
            if (scopes.test(budget.getKey())) {
                budget.getValue().gauges().forEach(registry::remove);
                it.remove();
            }
        }
    }

    @Override
    public void exchangeStarted(boolean stream) {
        inflightRequests.increment();
        if (stream) {
            inflightStreams.increment();
        }
    }

    @Override
    public void exchangeEnded(boolean stream) {
        inflightRequests.decrement();
        if (stream) {
            inflightStreams.decrement();
        }
    }

    @Override
    public void exchangeFinished(ExchangeSummary s) {
        exchanges.record(s);
        keys.record(s);
    }

    private record Denial(String scopeKind, String dimension) {}

    @Override
    public void quotaDenied(String scopeKind, String dimension) {
        Registered.meter(denials, new Denial(scopeKind, dimension), d -> Counter.builder(QUOTA_DENIED)
                .description("Requests refused by a rate limit or budget, by scope kind and dimension")
                .tags(SCOPE, d.scopeKind(), DIMENSION, d.dimension()).register(registry)).increment();
    }

    @Override
    public void budgetAlert(String scopeKind, double threshold) {
        counter(BUDGET_ALERTS, "Budget alert thresholds crossed, by scope kind and threshold", null,
                Tags.of(SCOPE, scopeKind, THRESHOLD, Double.toString(threshold))).increment();
    }

    @Override
    public void ledgerRows(String state, long rows) {
        counter(LEDGER_ROWS, "Spend-ledger rows by what happened to them (written, spilled, replayed, lost)", null,
                Tags.of(STATE, state)).increment(rows);
    }

    @Override
    public void ledgerUp(boolean up) {
        ledgerUp.set(up ? 1 : 0);
    }

    @Override
    public void configReloaded(String result, int version, boolean pending) {
        counter(CONFIG_RELOADS, "Config reloads by result (applied, unchanged, rejected)", null,
                Tags.of(RESULT, result)).increment();
        configVersion.set(version);
        restartPending.set(pending ? 1 : 0);
    }

    @Override
    public void responseCache(ResponseCache.CacheStats stats) {
        cacheStats = stats;
    }

    /**
     * A key's scope is dropped while per-key series are off: keys are labelled only while the config says so (and,
     * as in {@link KeySeries}, a gauge registered while the switch flipped is removed again).
     */
    @Override
    public void budgetLevel(String scope, Money spent, Money limit) {
        boolean key = scope.startsWith(KEY_SCOPE_PREFIX);
        if (key && !keys.on()) {
            return;
        }
        budgets.computeIfAbsent(scope, this::registerBudget).set(spent, limit);
        if (key && !keys.on()) {
            removeKeyBudgets();
        }
    }

    /** Removes the gauges of every budget the last complete sample did not cover. */
    @Override
    public void budgetsSampled(Set<String> scopes) {
        removeBudgets(scope -> !scopes.contains(scope));
    }

    /** The labels of one upstream-attempts counter. */
    private record Attempt(String deployment, String result, NextStep next) {}

    @Override
    public void upstreamAttempt(String deployment, ErrorKind failure, NextStep next) {
        String result = failure == null ? "ok" : failure.label();
        // Once per attempt: found by a plain record key, without building and sorting a tag set each time.
        Registered.meter(attempts, new Attempt(deployment, result, next), a -> Counter.builder(UPSTREAM_ATTEMPTS)
                .description("Upstream attempts, by deployment, result (ok or error type) and what the request did "
                        + "next")
                .tags(DEPLOYMENT, a.deployment(), RESULT, a.result(), NEXT, a.next().label())
                .register(registry)).increment();
    }

    /**
     * One gauge per deployment and state, 1 for the current state and 0 for the others, so a dashboard can both
     * show a deployment's state and count deployments per state with a plain sum.
     */
    @Override
    public void deploymentState(String deployment, DeploymentState state) {
        deploymentStates.computeIfAbsent(deployment, this::registerDeploymentState).set(state);
    }

    /** Removes the state gauges of every deployment the last complete sample did not cover. */
    @Override
    public void deploymentsSampled(Set<String> deployments) {
        for (var it = deploymentStates.entrySet().iterator(); it.hasNext(); ) {
            var deployment = it.next();
            if (!deployments.contains(deployment.getKey())) {
                deployment.getValue().gauges().forEach(registry::remove);
                it.remove();
            }
        }
    }

    /** A deployment's current state, and the gauges (one per state) that read it. */
    private record StateGauges(AtomicReference<DeploymentState> current, List<Gauge> gauges) {
        void set(DeploymentState state) {
            current.set(state);
        }
    }

    private StateGauges registerDeploymentState(String deployment) {
        var current = new AtomicReference<DeploymentState>();
        List<Gauge> gauges = new ArrayList<>();
        for (DeploymentState state : DeploymentState.values()) {
            gauges.add(Gauge.builder(DEPLOYMENT_STATE, current, c -> c.get() == state ? 1 : 0)
                    .description("1 for the state a deployment is in (closed, open or half_open by its circuit "
                            + "breaker, or cooling after a 429), 0 for the others")
                    .tags(DEPLOYMENT, deployment, STATE, state.label())
                    .register(registry));
        }
        return new StateGauges(current, List.copyOf(gauges));
    }

    /** The latest level of one budget, and the gauges that read it. */
    private static final class BudgetLevel {
        private volatile double spentUsd;
        private volatile double limitUsd;
        private List<Gauge> gauges = List.of();

        void set(Money spent, Money limit) {
            spentUsd = spent.nanos() / 1e9;
            limitUsd = limit.nanos() / 1e9;
        }

        List<Gauge> gauges() {
            return gauges;
        }
    }

    private BudgetLevel registerBudget(String scope) {
        var level = new BudgetLevel();
        level.gauges = List.of(
                Gauge.builder(BUDGET_SPENT, level, l -> l.spentUsd).baseUnit("usd")
                        .description("Spend in the budget's current period, by scope (global, team:<name>, "
                                + "key:<name>)").tag(SCOPE, scope).register(registry),
                Gauge.builder(BUDGET_LIMIT, level, l -> l.limitUsd).baseUnit("usd")
                        .description("The budget's limit, by scope").tag(SCOPE, scope).register(registry),
                Gauge.builder(BUDGET_REMAINING, level, l -> Math.max(0, l.limitUsd - l.spentUsd)).baseUnit("usd")
                        .description("What is left of the budget in its current period (never below 0), by scope")
                        .tag(SCOPE, scope).register(registry));
        return level;
    }

    /** A counter by name and tags; the name is part of the cache key since tag sets repeat across meters. */
    private Counter counter(String name, String description, String unit, Tags tags) {
        return counters.computeIfAbsent(tags.and("__name", name), k -> Counter.builder(name)
                .description(description).baseUnit(unit).tags(tags).register(registry));
    }

    /**
     * A histogram of 0..1 scores labelled by what served the scored request ({@link ServedBy}) after
     * {@code firstLabels}. Registered with the Prometheus client itself rather than through Micrometer: Micrometer
     * refuses a bucket bound of 0, and the {@code le="0.0"} bucket is exactly the count of the worst scores (thumbs
     * down, one-star ratings, a judge's lowest verdict, a guardrail's finding).
     */
    private Histogram scoreHistogram(String name, String help, double[] bounds, String... firstLabels) {
        var labels = new ArrayList<>(List.of(firstLabels));
        labels.addAll(ServedBy.LABELS);
        return Histogram.builder()
                .name(prometheusName(name))
                .help(help)
                .labelNames(labels.toArray(String[]::new))
                .classicOnly()
                .withoutExemplars()
                .classicUpperBounds(bounds)
                .register(registry.getPrometheusRegistry());
    }

    /**
     * What served a scored request, as the score labels name it: the model group, tier, split variant, registry
     * prompt, its version and experiment arm, each {@code none} when it does not apply.
     */
    private record ServedBy(String model, String tier, String variant, String prompt, String promptVersion,
                            String experiment) {
        static final List<String> LABELS =
                List.of(prometheusName(MODEL), TIER, VARIANT, PROMPT, PROMPT_VERSION, EXPERIMENT);

        static ServedBy of(String model, String tier, String variant, PromptUse prompt) {
            return new ServedBy(ExchangeMeters.orNone(model), ExchangeMeters.orNone(tier),
                    ExchangeMeters.orNone(variant), prompt == null ? NONE : prompt.id(),
                    prompt == null ? NONE : Integer.toString(prompt.version()),
                    prompt == null ? NONE : ExchangeMeters.orNone(prompt.variant()));
        }

        /** The label values, in the order of {@link #LABELS}. */
        List<String> values() {
            return List.of(model, tier, variant, prompt, promptVersion, experiment);
        }

        /** The same labels as Micrometer tags. */
        Tags tags() {
            return Tags.of(MODEL, model, TIER, tier, VARIANT, variant, PROMPT, prompt, PROMPT_VERSION, promptVersion,
                    EXPERIMENT, experiment);
        }
    }

    private static String prometheusName(String meterName) {
        return meterName.replace('.', '_');
    }

    @Override
    public void feedback(String model, String tier, String variant, PromptUse prompt, double score) {
        feedback.labelValues(ServedBy.of(model, tier, variant, prompt).values().toArray(String[]::new))
                .observe(score);
    }

    @Override
    public void reviewSamples(String result, long samples) {
        counter(REVIEW_SAMPLES, "Review samples by what became of them (written, dropped)", null,
                Tags.of(RESULT, result)).increment(samples);
    }

    @Override
    public void guardrailsChecked(GuardStage stage, List<Verdict> verdicts, long nanos) {
        if (verdicts.isEmpty()) {
            return;
        }
        for (Verdict v : verdicts) {
            // The verdict itself is the key: a record of a config name and two closed sets.
            Registered.meter(guardrailChecks, v, k -> Counter.builder(GUARDRAIL_CHECKS)
                    .description("Guardrail checks by guardrail, stage (input, output) and result (pass, flag, "
                            + "redact, block)")
                    .tags(GUARDRAIL, k.guardrail(), STAGE, k.stage().label(), RESULT, k.result().label())
                    .register(registry)).increment();
        }
        Registered.meter(guardrailDurations, stage, s -> Timer.builder(GUARDRAIL_DURATION)
                .description("Time spent screening one request or one answer with its guardrails, by stage")
                .tag(STAGE, s.label()).serviceLevelObjectives(Buckets.OVERHEAD).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The Prometheus text exposition (format 0.0.4) of every meter. */
    public String scrape() {
        return registry.scrape(PROMETHEUS_TEXT);
    }

    /**
     * Every meter in the format an HTTP {@code Accept} header asks for: OpenMetrics 1.0 when it names
     * {@code application/openmetrics-text} and weighs it at least as high as the text format (as Prometheus does by
     * default), the Prometheus text format 0.0.4 otherwise (a missing header, a browser, curl): see
     * {@link ScrapeFormat}.
     *
     * @param accept the request's {@code Accept} header, or null
     */
    public Exposition scrape(String accept) {
        String type = ScrapeFormat.openMetrics(accept) ? OPENMETRICS : PROMETHEUS_TEXT;
        return new Exposition(type, registry.scrape(type));
    }

    /** The labels of one evaluation counter. */
    private record Evaluation(String evaluator, String rubric, EvaluatorKind kind, EvalOutcome outcome) {}

    /** The labels of one score series: the evaluator and rubric, and what served the scored request. */
    private record ScoreSeries(String evaluator, String rubric, ServedBy servedBy) {
        List<String> values() {
            var values = new ArrayList<String>(List.of(evaluator, rubric));
            values.addAll(servedBy.values());
            return values;
        }
    }

    private record Skip(String evaluator, String reason) {}

    private record BiasSeries(String evaluator, String model, String attribute) {}

    /** The latest divergence of one model group on one attribute, which its gauge reads. */
    private static final class Divergence {
        private volatile double value;
    }

    /**
     * Counts the evaluation by outcome; a score is observed in the score histogram and counted in the flagged
     * counter of its series when flagged. The flagged counter is registered with the series' first score, at 0 when
     * it is not flagged, so the flagged share of a series that never flagged reads 0 rather than no data.
     */
    @Override
    public void evaluated(EvaluationResult result) {
        Registered.meter(evaluations, new Evaluation(result.evaluator(), result.rubric(), result.kind(),
                result.outcome()), e -> Counter.builder(EVALUATIONS)
                .description("Evaluations ended, by evaluator, rubric, kind (judge, consistency, guardrail, feedback, "
                        + "bias) and outcome (scored, unparseable, refused, failed)")
                .tags(EVALUATOR, e.evaluator(), RUBRIC, e.rubric(), KIND, e.kind().label(), OUTCOME,
                        e.outcome().label())
                .register(registry)).increment();
        if (result.score() != null) {
            var request = result.request();
            var series = new ScoreSeries(result.evaluator(), result.rubric(),
                    ServedBy.of(request.model(), request.tier(), request.variant(), request.prompt()));
            evaluationScores.labelValues(series.values().toArray(String[]::new)).observe(result.score());
            Counter flags = Registered.meter(flagged, series, k -> Counter.builder(EVALUATION_FLAGGED)
                    .description("Scores below their evaluator's threshold (a hallucination, a toxic or inconsistent "
                            + "answer), by the labels of tollgate_evaluation_score")
                    .tags(Tags.of(EVALUATOR, k.evaluator(), RUBRIC, k.rubric()).and(k.servedBy().tags()))
                    .register(registry));
            if (result.flagged()) {
                flags.increment();
            }
        }
        if (!result.cost().isZero()) {
            Registered.meter(evaluationCost, result.evaluator(), e -> Counter.builder(EVALUATION_COST).baseUnit("usd")
                    .description("Dollars the evaluations' own calls cost (judge, consistency re-asks, bias probes, "
                            + "embeddings), by evaluator; charged to the evaluation team")
                    .tag(EVALUATOR, e).register(registry)).increment(result.cost().nanos() / 1e9);
        }
    }

    @Override
    public void evaluationsSkipped(String evaluator, String reason, long count) {
        Registered.meter(skipped, new Skip(evaluator, reason), k -> Counter.builder(EVALUATIONS_SKIPPED)
                .description("Sampled requests and bias probes never evaluated, or whose result was not stored, by "
                        + "evaluator and reason (queue_full, too_large, removed, shutdown, error, unstored, unreadable)")
                .tags(EVALUATOR, k.evaluator(), REASON, k.reason()).register(registry)).increment(count);
    }

    @Override
    public void evaluationQueue(int depth) {
        evaluationQueue.set(depth);
    }

    @Override
    public void biasDivergence(String evaluator, String model, String attribute, double divergence) {
        Registered.meter(divergences, new BiasSeries(evaluator, model, attribute), this::registerDivergence).value =
                divergence;
    }

    private Divergence registerDivergence(BiasSeries series) {
        var divergence = new Divergence();
        Gauge.builder(BIAS_DIVERGENCE, divergence, d -> d.value)
                .description("Mean divergence (1 - similarity) of the answers to a bias probe's paired prompts at the "
                        + "last run, by evaluator, model group and demographic attribute")
                .tags(EVALUATOR, series.evaluator(), MODEL, series.model(), ATTRIBUTE, series.attribute())
                .register(registry);
        return divergence;
    }
}
