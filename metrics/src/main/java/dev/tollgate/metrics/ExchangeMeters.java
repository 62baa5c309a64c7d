package dev.tollgate.metrics;

import static dev.tollgate.metrics.MeterNames.CACHE_REQUESTS;
import static dev.tollgate.metrics.MeterNames.CACHE_SAVED;
import static dev.tollgate.metrics.MeterNames.COST;
import static dev.tollgate.metrics.MeterNames.DEPLOYMENT;
import static dev.tollgate.metrics.MeterNames.ERROR_TYPE;
import static dev.tollgate.metrics.MeterNames.MODEL;
import static dev.tollgate.metrics.MeterNames.NONE;
import static dev.tollgate.metrics.MeterNames.OPERATION;
import static dev.tollgate.metrics.MeterNames.OUTCOME;
import static dev.tollgate.metrics.MeterNames.OVERHEAD;
import static dev.tollgate.metrics.MeterNames.EXPERIMENT;
import static dev.tollgate.metrics.MeterNames.PROMPT;
import static dev.tollgate.metrics.MeterNames.PROMPT_COST;
import static dev.tollgate.metrics.MeterNames.PROMPT_DURATION;
import static dev.tollgate.metrics.MeterNames.PROMPT_REQUESTS;
import static dev.tollgate.metrics.MeterNames.PROMPT_TOKENS;
import static dev.tollgate.metrics.MeterNames.PROMPT_VERSION;
import static dev.tollgate.metrics.MeterNames.PROVIDER;
import static dev.tollgate.metrics.MeterNames.REQUESTS;
import static dev.tollgate.metrics.MeterNames.REQUEST_DURATION;
import static dev.tollgate.metrics.MeterNames.RESPONSE_MODEL;
import static dev.tollgate.metrics.MeterNames.RESULT;
import static dev.tollgate.metrics.MeterNames.ROUTE;
import static dev.tollgate.metrics.MeterNames.ROUTED;
import static dev.tollgate.metrics.MeterNames.STATUS;
import static dev.tollgate.metrics.MeterNames.STREAM;
import static dev.tollgate.metrics.MeterNames.TEAM;
import static dev.tollgate.metrics.MeterNames.TIER;
import static dev.tollgate.metrics.MeterNames.TIME_PER_OUTPUT_TOKEN;
import static dev.tollgate.metrics.MeterNames.TIME_TO_FIRST_TOKEN;
import static dev.tollgate.metrics.MeterNames.TOKENS;
import static dev.tollgate.metrics.MeterNames.TOKEN_TYPE;
import static dev.tollgate.metrics.MeterNames.TOKEN_USAGE;
import static dev.tollgate.metrics.MeterNames.TYPE;
import static dev.tollgate.metrics.MeterNames.UPSTREAM_DURATION;
import static dev.tollgate.metrics.MeterNames.VARIANT;

import dev.tollgate.core.cache.CacheResult;
import dev.tollgate.core.cache.CacheUse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.spi.Operation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters a finished exchange records, on its event loop. Each group of meters is registered once per label
 * combination and then found by a plain map read keyed by a record of the labels ({@link Registered}), so
 * recording builds no tag set and takes no lock (but for a response model not seen before). Every label value comes
 * from the summary's configured names or from closed sets, except the response model: the provider's plain name,
 * bounded in number per model group.
 */
final class ExchangeMeters {
    /** The most response models one model group labels; see {@link #responseModelLabel}. */
    static final int RESPONSE_MODELS_PER_MODEL = 16;
    /** The response-model label of names past that bound. */
    static final String OTHER = "other";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Labels, Meters> meters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Spender, Spend> spend = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<CacheLabels, Counter> cacheLookups = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> cacheSaved = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Routed, Counter> routed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<PromptSeries, PromptMeters> prompts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<PromptOutcome, Counter> promptRequests = new ConcurrentHashMap<>();
    /** The response models labelled so far, by model group: see {@link #responseModelLabel}. */
    private final ConcurrentHashMap<String, Set<String>> responseModels = new ConcurrentHashMap<>();

    ExchangeMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One label combination of a finished request. */
    private record Labels(String route, Operation operation, String model, String responseModel, String provider,
                          String deployment, int status, Outcome outcome, ErrorKind error, boolean stream) {}

    /**
     * The meters of one combination. Those that do not apply to it are null: first token and time per output token
     * for non-streams; tokens without a model call; overhead and upstream time without a deployment.
     */
    private record Meters(Counter requests, Timer duration, Timer firstToken, Timer perOutputToken,
                          DistributionSummary input, DistributionSummary output, Timer overhead, Timer upstream) {}

    /** Whose tokens and dollars: a model group and a team. */
    private record Spender(String model, String team) {}

    /** The tokens by type and the dollars of one model and team. */
    private record Spend(Counter input, Counter output, Counter cachedInput, Counter cacheWrite, Counter reasoning,
                         Counter cost) {}

    private record CacheLabels(String model, CacheResult result) {}

    /** The labels of one routed-requests counter; tier and variant may be null. */
    private record Routed(String tier, String variant, String model) {}

    /**
     * One prompt version as an experiment arm served it: the id and number come from config, and so does the
     * variant ({@code <experiment>/<arm>}, null outside an experiment), so the series are bounded by the registry.
     */
    private record PromptSeries(String prompt, int version, String variant) {}

    private record PromptOutcome(PromptSeries series, Outcome outcome) {}

    /** The time, tokens and dollars of one prompt series. */
    private record PromptMeters(Timer duration, Counter input, Counter output, Counter cost) {}

    void record(ExchangeSummary s) {
        Meters m = Registered.meter(meters, new Labels(s.route(), s.operation(), s.model(),
                responseModelLabel(s.model(), s.responseModel()),
                s.provider(), s.deployment(), s.status(), s.outcome(), s.errorKind(), s.stream()), this::register);
        m.requests().increment();
        m.duration().record(s.latencyNanos(), TimeUnit.NANOSECONDS);
        Usage usage = s.usage();
        if (m.firstToken() != null && s.firstTokenNanos() >= 0) {
            m.firstToken().record(s.firstTokenNanos(), TimeUnit.NANOSECONDS);
            // The OpenTelemetry definition: the time after the first token, spread over the tokens that followed it.
            if (usage.outputTokens() > 1 && s.latencyNanos() > s.firstTokenNanos()) {
                m.perOutputToken().record((s.latencyNanos() - s.firstTokenNanos()) / (usage.outputTokens() - 1),
                        TimeUnit.NANOSECONDS);
            }
        }
        if (m.input() != null && (usage.inputTokens() > 0 || usage.outputTokens() > 0)) {
            m.input().record(usage.inputTokens());
            m.output().record(usage.outputTokens());
        }
        if (m.upstream() != null && s.upstreamNanos() >= 0) {
            m.upstream().record(s.upstreamNanos(), TimeUnit.NANOSECONDS);
            m.overhead().record(Math.max(0, s.latencyNanos() - s.upstreamNanos()), TimeUnit.NANOSECONDS);
        }
        if (s.model() != null) {
            spend(s, usage);
        }
        CacheUse cache = s.cache();
        if (cache != null) {
            Registered.meter(cacheLookups, new CacheLabels(s.model(), cache.result()), c -> Counter
                    .builder(CACHE_REQUESTS)
                    .description("Chat requests by what the response cache did (hit, miss, bypass, refresh, coalesced)")
                    .tags(MODEL, orNone(c.model()), RESULT, c.result().label()).register(registry)).increment();
            if (!cache.saved().isZero()) {
                Registered.meter(cacheSaved, orNone(s.model()), model -> Counter.builder(CACHE_SAVED).baseUnit("usd")
                        .description("Dollars that answers from the response cache did not cost, by model")
                        .tag(MODEL, model).register(registry)).increment(cache.saved().nanos() / 1e9);
            }
        }
        if (s.prompt() != null && s.operation() == Operation.CHAT) {
            // Answers only: a token count's quick, free call would drag an arm's latency, tokens and request rate
            // towards whatever its callers count, and the series exist to compare arms on their answers.
            prompt(s, s.prompt(), usage);
        }
        RouteTrace routing = s.routing();
        if (routing.tier() != null || routing.variant() != null) {
            // The served model is already a label of every request meter; this adds how it was chosen, so a
            // dashboard can compare a split's variants or watch the share of each tier.
            Registered.meter(routed, new Routed(routing.tier(), routing.variant(), s.model()), r -> Counter
                    .builder(ROUTED)
                    .description("Requests routed through a tier or a split, by tier, split variant and served model")
                    .tags(TIER, orNone(r.tier()), VARIANT, orNone(r.variant()), MODEL, orNone(r.model()))
                    .register(registry)).increment();
        }
    }

    /**
     * The response model as a label value. {@code ResponseModel} keeps it to plain names, but the provider still
     * chooses them: one that routes among many models, or names each build, would add series without end. So each
     * model group keeps the first {@link #RESPONSE_MODELS_PER_MODEL} names it sees, and later ones are
     * {@link #OTHER}.
     */
    private String responseModelLabel(String model, String responseModel) {
        if (responseModel == null) {
            return null;
        }
        String group = orNone(model);
        Set<String> seen = responseModels.get(group);
        if (seen == null) {
            seen = responseModels.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet());
        }
        if (seen.contains(responseModel)) {
            return responseModel;
        }
        synchronized (seen) { // a name not seen yet: rare, and the bound must hold against racing loops
            if (seen.size() < RESPONSE_MODELS_PER_MODEL) {
                seen.add(responseModel);
                return responseModel;
            }
        }
        return OTHER;
    }

    private void prompt(ExchangeSummary s, PromptUse use, Usage usage) {
        var series = new PromptSeries(use.id(), use.version(), use.variant());
        Registered.meter(promptRequests, new PromptOutcome(series, s.outcome()), o -> Counter
                .builder(PROMPT_REQUESTS)
                .description("Requests that rendered a registry prompt, by prompt, version, experiment arm and outcome")
                .tags(promptTags(o.series())).tag(OUTCOME, o.outcome().label())
                .register(registry)).increment();
        PromptMeters m = Registered.meter(prompts, series, this::registerPrompt);
        m.duration().record(s.latencyNanos(), TimeUnit.NANOSECONDS);
        increment(m.input(), usage.inputTokens());
        increment(m.output(), usage.outputTokens());
        if (!s.cost().isZero()) {
            m.cost().increment(s.cost().nanos() / 1e9);
        }
    }

    private PromptMeters registerPrompt(PromptSeries series) {
        Tags tags = promptTags(series);
        String tokens = "Tokens of requests that rendered a registry prompt, by prompt, version, experiment arm and "
                + "type (input, output)";
        return new PromptMeters(
                Timer.builder(PROMPT_DURATION)
                        .description("Time from admission to the last byte sent, of requests that rendered a "
                                + "registry prompt, by prompt, version and experiment arm")
                        .tags(tags).serviceLevelObjectives(Buckets.LATENCY).register(registry),
                Counter.builder(PROMPT_TOKENS).description(tokens).tags(tags).tag(TYPE, "input").register(registry),
                Counter.builder(PROMPT_TOKENS).description(tokens).tags(tags).tag(TYPE, "output").register(registry),
                Counter.builder(PROMPT_COST).baseUnit("usd")
                        .description("Dollars charged for requests that rendered a registry prompt, by prompt, "
                                + "version and experiment arm")
                        .tags(tags).register(registry));
    }

    private static Tags promptTags(PromptSeries series) {
        return Tags.of(PROMPT, series.prompt(), PROMPT_VERSION, Integer.toString(series.version()),
                EXPERIMENT, orNone(series.variant()));
    }

    private void spend(ExchangeSummary s, Usage usage) {
        Spend t = Registered.meter(spend, new Spender(s.model(), orNone(s.team())), this::registerSpend);
        increment(t.input(), usage.inputTokens());
        increment(t.output(), usage.outputTokens());
        increment(t.cachedInput(), usage.cachedInputTokens());
        increment(t.cacheWrite(), usage.cacheWriteTokens());
        increment(t.reasoning(), usage.reasoningTokens());
        if (!s.cost().isZero()) {
            t.cost().increment(s.cost().nanos() / 1e9);
        }
    }

    private static void increment(Counter counter, long amount) {
        if (amount > 0) {
            counter.increment(amount);
        }
    }

    private Spend registerSpend(Spender who) {
        Tags tags = Tags.of(MODEL, who.model(), TEAM, who.team());
        return new Spend(tokens(tags, "input"), tokens(tags, "output"), tokens(tags, "cached_input"),
                tokens(tags, "cache_write"), tokens(tags, "reasoning"),
                Counter.builder(COST).baseUnit("usd").description("Dollars charged for requests, by model and team")
                        .tags(tags).register(registry));
    }

    private Counter tokens(Tags tags, String type) {
        return Counter.builder(TOKENS)
                .description("Tokens by model, team and type (input counts every prompt token, cached_input and "
                        + "cache_write included; reasoning is part of output)")
                .tags(tags).tag(TYPE, type).register(registry);
    }

    private Meters register(Labels l) {
        String error = l.error() == null ? NONE : l.error().label();
        String operation = l.operation() == null ? NONE : l.operation().label();
        Tags base = Tags.of(ROUTE, l.route(), MODEL, orNone(l.model()), PROVIDER, orNone(l.provider()));
        Tags perOperation = base.and(OPERATION, operation);
        Counter requests = Counter.builder(REQUESTS)
                .description("Requests finished, by route, model, deployment, status and outcome")
                .tags(base)
                .tags(DEPLOYMENT, orNone(l.deployment()), STATUS, Integer.toString(l.status()),
                        OUTCOME, l.outcome().label(), ERROR_TYPE, error)
                .register(registry);
        Timer duration = Timer.builder(REQUEST_DURATION)
                .description("Time from admission to the last byte sent to the client")
                .tags(perOperation)
                .tags(RESPONSE_MODEL, orNone(l.responseModel()), STREAM, Boolean.toString(l.stream()),
                        ERROR_TYPE, error)
                .serviceLevelObjectives(Buckets.LATENCY)
                .register(registry);
        Timer firstToken = null;
        Timer perOutputToken = null;
        if (l.stream()) {
            firstToken = Timer.builder(TIME_TO_FIRST_TOKEN)
                    .description("Time from admission to the first content sent to a streaming client")
                    .tags(perOperation)
                    .serviceLevelObjectives(Buckets.LATENCY)
                    .register(registry);
            perOutputToken = Timer.builder(TIME_PER_OUTPUT_TOKEN)
                    .description("Time per output token of a stream after its first: (end - first token) / "
                            + "(output tokens - 1)")
                    .tags(OPERATION, operation, MODEL, orNone(l.model()), PROVIDER, orNone(l.provider()))
                    .serviceLevelObjectives(Buckets.PER_OUTPUT_TOKEN)
                    .register(registry);
        }
        boolean modelCall = l.model() != null && l.deployment() != null;
        Timer overhead = null;
        Timer upstream = null;
        if (l.deployment() != null) {
            overhead = Timer.builder(OVERHEAD)
                    .description("The gateway's own time in a request that reached a provider: the whole request "
                            + "minus the answering upstream call")
                    .tags(ROUTE, l.route(), STREAM, Boolean.toString(l.stream()))
                    .serviceLevelObjectives(Buckets.OVERHEAD)
                    .register(registry);
            upstream = Timer.builder(UPSTREAM_DURATION)
                    .description("Time from sending a request to a deployment to its answer's last byte")
                    .tags(DEPLOYMENT, l.deployment(), PROVIDER, orNone(l.provider()))
                    .serviceLevelObjectives(Buckets.LATENCY)
                    .register(registry);
        }
        return new Meters(requests, duration, firstToken, perOutputToken,
                modelCall ? tokenUsage(perOperation, "input") : null,
                modelCall ? tokenUsage(perOperation, "output") : null, overhead, upstream);
    }

    private DistributionSummary tokenUsage(Tags tags, String type) {
        return DistributionSummary.builder(TOKEN_USAGE)
                .description("Tokens per request, by type")
                .baseUnit("tokens")
                .tags(tags)
                .tag(TOKEN_TYPE, type)
                .serviceLevelObjectives(Buckets.TOKENS)
                .register(registry);
    }

    static String orNone(String value) {
        return value == null ? NONE : value;
    }
}
