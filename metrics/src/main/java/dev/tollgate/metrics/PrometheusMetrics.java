package dev.tollgate.metrics;

import static dev.tollgate.metrics.MeterNames.BUDGET_ALERTS;
import static dev.tollgate.metrics.MeterNames.CACHE_ENTRIES;
import static dev.tollgate.metrics.MeterNames.CACHE_EVICTIONS;
import static dev.tollgate.metrics.MeterNames.CACHE_REQUESTS;
import static dev.tollgate.metrics.MeterNames.CACHE_SAVED;
import static dev.tollgate.metrics.MeterNames.CACHE_SIZE;
import static dev.tollgate.metrics.MeterNames.BUDGET_LIMIT;
import static dev.tollgate.metrics.MeterNames.BUDGET_SPENT;
import static dev.tollgate.metrics.MeterNames.CONFIG_RELOADS;
import static dev.tollgate.metrics.MeterNames.CONFIG_RESTART_PENDING;
import static dev.tollgate.metrics.MeterNames.CONFIG_VERSION;
import static dev.tollgate.metrics.MeterNames.COST;
import static dev.tollgate.metrics.MeterNames.DEPLOYMENT;
import static dev.tollgate.metrics.MeterNames.DEPLOYMENT_STATE;
import static dev.tollgate.metrics.MeterNames.DIMENSION;
import static dev.tollgate.metrics.MeterNames.LEDGER_ROWS;
import static dev.tollgate.metrics.MeterNames.LEDGER_UP;
import static dev.tollgate.metrics.MeterNames.QUOTA_DENIED;
import static dev.tollgate.metrics.MeterNames.SCOPE;
import static dev.tollgate.metrics.MeterNames.STATE;
import static dev.tollgate.metrics.MeterNames.TEAM;
import static dev.tollgate.metrics.MeterNames.TIER;
import static dev.tollgate.metrics.MeterNames.THRESHOLD;
import static dev.tollgate.metrics.MeterNames.ERROR_TYPE;
import static dev.tollgate.metrics.MeterNames.MODEL;
import static dev.tollgate.metrics.MeterNames.NEXT;
import static dev.tollgate.metrics.MeterNames.NONE;
import static dev.tollgate.metrics.MeterNames.OUTCOME;
import static dev.tollgate.metrics.MeterNames.PROVIDER;
import static dev.tollgate.metrics.MeterNames.REQUESTS;
import static dev.tollgate.metrics.MeterNames.REQUEST_DURATION;
import static dev.tollgate.metrics.MeterNames.RESULT;
import static dev.tollgate.metrics.MeterNames.ROUTED;
import static dev.tollgate.metrics.MeterNames.ROUTE;
import static dev.tollgate.metrics.MeterNames.STATUS;
import static dev.tollgate.metrics.MeterNames.STREAM;
import static dev.tollgate.metrics.MeterNames.TIME_TO_FIRST_TOKEN;
import static dev.tollgate.metrics.MeterNames.TOKEN_TYPE;
import static dev.tollgate.metrics.MeterNames.TOKEN_USAGE;
import static dev.tollgate.metrics.MeterNames.VARIANT;
import static dev.tollgate.metrics.MeterNames.UPSTREAM_ATTEMPTS;
import static dev.tollgate.metrics.MeterNames.FEEDBACK_SCORE;
import static dev.tollgate.metrics.MeterNames.REVIEW_SAMPLES;

import dev.tollgate.core.cache.CacheUse;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.observe.DeploymentState;
import dev.tollgate.core.observe.NextStep;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.pricing.Money;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Histogram;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway's meters in a Prometheus registry. {@link #exchangeFinished} runs on event loops, once per request:
 * the meters of one label combination are registered once and then found with a single map lookup, and
 * recording is lock-free. Every label value comes from config or from closed sets, never from a client.
 */
public final class PrometheusMetrics implements GatewayMetrics {
    /** Buckets for whole-request latency: LLM calls run from milliseconds to minutes. */
    private static final Duration[] LATENCY_SLOS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)
    };
    private static final double[] TOKEN_SLOS = {16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};
    /** Normalised feedback takes these values only: thumbs are 0 and 1, stars 0, 0.25, ... 1. */
    private static final double[] FEEDBACK_BOUNDS = {0, 0.25, 0.5, 0.75, 1};
    /** The states {@link #deploymentState} knows; each deployment gets a gauge for every one of them. */

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<Labels, Meters> meters = new ConcurrentHashMap<>();
    /** Counters with few labels (model and team, scope and dimension...), keyed by name and tags. */
    private final ConcurrentHashMap<Tags, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Attempt, Counter> attempts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Routed, Counter> routed = new ConcurrentHashMap<>();
    private final Histogram feedback = registerFeedback();
    private final AtomicInteger ledgerUp = new AtomicInteger(1);
    private final AtomicInteger configVersion = new AtomicInteger(1);
    private final AtomicInteger restartPending = new AtomicInteger();
    private final ConcurrentHashMap<String, BudgetLevel> budgets = new ConcurrentHashMap<>();
    /** The response cache's latest sample; its gauges and eviction counter read it. */
    private volatile ResponseCache.CacheStats cacheStats = new ResponseCache.CacheStats(0, 0, 0, 0, 0);
    /** The current state of each deployment, by id; its state gauges read it. */
    private final ConcurrentHashMap<String, AtomicReference<DeploymentState>> deploymentStates =
            new ConcurrentHashMap<>();

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
    }

    /** One label combination of a finished request. */
    private record Labels(String route, String model, String provider, String deployment, int status,
                          Outcome outcome, ErrorKind error, boolean stream) {}

    /** The meters of one combination; the per-model ones (first token, tokens) are null where they do not apply. */
    private record Meters(Counter requests, Timer duration, Timer firstToken, DistributionSummary input,
                          DistributionSummary output) {}

    @Override
    public void exchangeFinished(ExchangeSummary s) {
        var labels = new Labels(s.route(), s.model(), s.provider(), s.deployment(), s.status(), s.outcome(),
                s.errorKind(), s.stream());
        Meters m = meters.computeIfAbsent(labels, this::register);
        m.requests().increment();
        m.duration().record(s.latencyNanos(), TimeUnit.NANOSECONDS);
        if (m.firstToken() != null && s.firstTokenNanos() >= 0) {
            m.firstToken().record(s.firstTokenNanos(), TimeUnit.NANOSECONDS);
        }
        if (m.input() != null && (s.usage().inputTokens() > 0 || s.usage().outputTokens() > 0)) {
            m.input().record(s.usage().inputTokens());
            m.output().record(s.usage().outputTokens());
        }
        if (!s.cost().isZero()) {
            counter(COST, "Dollars charged for requests, by model and team", "usd",
                    Tags.of(MODEL, orNone(s.model()), TEAM, orNone(s.team())))
                    .increment(s.cost().nanos() / 1e9);
        }
        CacheUse cache = s.cache();
        if (cache != null) {
            counter(CACHE_REQUESTS, "Chat requests by what the response cache did (hit, miss, bypass, refresh, coalesced)", null,
                    Tags.of(MODEL, orNone(s.model()), RESULT, cache.result().label())).increment();
            if (!cache.saved().isZero()) {
                counter(CACHE_SAVED, "Dollars that answers from the response cache did not cost, by model", "usd",
                        Tags.of(MODEL, orNone(s.model()))).increment(cache.saved().nanos() / 1e9);
            }
        }
        RouteTrace routing = s.routing();
        if (routing.tier() != null || routing.variant() != null) {
            // The served model is already a label of every request meter; this adds how it was chosen, so a
            // dashboard can compare a split's variants or watch the share of each tier.
            routed.computeIfAbsent(new Routed(routing.tier(), routing.variant(), s.model()), r -> counter(ROUTED,
                    "Requests routed through a tier or a split, by tier, split variant and served model", null,
                    Tags.of(TIER, orNone(r.tier()), VARIANT, orNone(r.variant()), MODEL, orNone(r.model()))))
                    .increment();
        }
    }

    @Override
    public void quotaDenied(String scopeKind, String dimension) {
        counter(QUOTA_DENIED, "Requests refused by a rate limit or budget, by scope kind and dimension", null,
                Tags.of(SCOPE, scopeKind, DIMENSION, dimension)).increment();
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

    @Override
    public void budgetLevel(String scope, Money spent, Money limit) {
        budgets.computeIfAbsent(scope, this::registerBudget).set(spent, limit);
    }

    /** The labels of one upstream-attempts counter. */
    private record Attempt(String deployment, String result, NextStep next) {}

    /** The labels of one routed-requests counter; tier and variant may be null. */
    private record Routed(String tier, String variant, String model) {}

    @Override
    public void upstreamAttempt(String deployment, ErrorKind failure, NextStep next) {
        String result = failure == null ? "ok" : failure.label();
        // Once per attempt: found by a plain record key, without building and sorting a tag set each time.
        attempts.computeIfAbsent(new Attempt(deployment, result, next), a -> counter(UPSTREAM_ATTEMPTS,
                "Upstream attempts, by deployment, result (ok or error type) and what the request did next", null,
                Tags.of(DEPLOYMENT, a.deployment(), RESULT, a.result(), NEXT, a.next().label()))).increment();
    }

    /**
     * One gauge per deployment and state, 1 for the current state and 0 for the others, so a dashboard can both
     * show a deployment's state and count deployments per state with a plain sum.
     */
    @Override
    public void deploymentState(String deployment, DeploymentState state) {
        deploymentStates.computeIfAbsent(deployment, this::registerDeploymentState).set(state);
    }

    private AtomicReference<DeploymentState> registerDeploymentState(String deployment) {
        var current = new AtomicReference<DeploymentState>();
        for (DeploymentState state : DeploymentState.values()) {
            Gauge.builder(DEPLOYMENT_STATE, current, c -> c.get() == state ? 1 : 0)
                    .description("1 for the state a deployment is in (closed, open or half_open by its circuit "
                            + "breaker, or cooling after a 429), 0 for the others")
                    .tags(DEPLOYMENT, deployment, STATE, state.label())
                    .register(registry);
        }
        return current;
    }

    /** The latest level of one budget; its two gauges read it. */
    private static final class BudgetLevel {
        private volatile double spentUsd;
        private volatile double limitUsd;

        void set(Money spent, Money limit) {
            spentUsd = spent.nanos() / 1e9;
            limitUsd = limit.nanos() / 1e9;
        }
    }

    private BudgetLevel registerBudget(String scope) {
        var level = new BudgetLevel();
        Gauge.builder(BUDGET_SPENT, level, l -> l.spentUsd).baseUnit("usd")
                .description("Spend in the budget's current period, by team or global").tag(SCOPE, scope)
                .register(registry);
        Gauge.builder(BUDGET_LIMIT, level, l -> l.limitUsd).baseUnit("usd")
                .description("The budget's limit, by team or global").tag(SCOPE, scope)
                .register(registry);
        return level;
    }

    /** A counter by name and tags; the name is part of the cache key since tag sets repeat across meters. */
    private Counter counter(String name, String description, String unit, Tags tags) {
        return counters.computeIfAbsent(tags.and("__name", name), k -> Counter.builder(name)
                .description(description).baseUnit(unit).tags(tags).register(registry));
    }

    private Meters register(Labels l) {
        String error = l.error() == null ? NONE : l.error().label();
        Tags base = Tags.of(ROUTE, l.route(), MODEL, orNone(l.model()), PROVIDER, orNone(l.provider()));
        Counter requests = Counter.builder(REQUESTS)
                .description("Requests finished, by route, model, deployment, status and outcome")
                .tags(base)
                .tags(DEPLOYMENT, orNone(l.deployment()), STATUS, Integer.toString(l.status()),
                        OUTCOME, l.outcome().label(), ERROR_TYPE, error)
                .register(registry);
        Timer duration = Timer.builder(REQUEST_DURATION)
                .description("Time from admission to the last byte sent to the client")
                .tags(base)
                .tags(STREAM, Boolean.toString(l.stream()), ERROR_TYPE, error)
                .serviceLevelObjectives(LATENCY_SLOS)
                .register(registry);
        Timer firstToken = !l.stream() ? null : Timer.builder(TIME_TO_FIRST_TOKEN)
                .description("Time from admission to the first content sent to a streaming client")
                .tags(base)
                .serviceLevelObjectives(LATENCY_SLOS)
                .register(registry);
        boolean modelCall = l.model() != null && l.deployment() != null;
        return new Meters(requests, duration, firstToken,
                modelCall ? tokens(base, "input") : null, modelCall ? tokens(base, "output") : null);
    }

    private DistributionSummary tokens(Tags base, String type) {
        return DistributionSummary.builder(TOKEN_USAGE)
                .description("Tokens per request, by type")
                .baseUnit("tokens")
                .tags(base)
                .tag(TOKEN_TYPE, type)
                .serviceLevelObjectives(TOKEN_SLOS)
                .register(registry);
    }

    private static String orNone(String value) {
        return value == null ? NONE : value;
    }

    /**
     * Registered with the Prometheus client itself rather than through Micrometer: Micrometer refuses a bucket
     * bound of 0, and the {@code le="0.0"} bucket is exactly the count of thumbs down and one-star ratings.
     */
    private Histogram registerFeedback() {
        return Histogram.builder()
                .name(prometheusName(FEEDBACK_SCORE))
                .help("Callers' feedback on answers, normalised to 0 (worst) .. 1 (best), by model group, tier and "
                        + "split variant")
                .labelNames(prometheusName(MODEL), TIER, VARIANT)
                .classicOnly()
                .withoutExemplars()
                .classicUpperBounds(FEEDBACK_BOUNDS)
                .register(registry.getPrometheusRegistry());
    }

    private static String prometheusName(String meterName) {
        return meterName.replace('.', '_');
    }

    @Override
    public void feedback(String model, String tier, String variant, double score) {
        feedback.labelValues(orNone(model), orNone(tier), orNone(variant)).observe(score);
    }

    @Override
    public void reviewSamples(String result, long samples) {
        counter(REVIEW_SAMPLES, "Review samples by what became of them (written, dropped)", null,
                Tags.of(RESULT, result)).increment(samples);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
