package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.cache.CachePolicy;
import dev.tollgate.core.cache.CacheSettings;
import dev.tollgate.core.quality.ReviewSettings;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.prompt.Experiment;
import dev.tollgate.core.prompt.Prompt;
import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.routing.AutoTier;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.GroupPolicy;
import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.RoutingTable;
import dev.tollgate.core.routing.Shadow;
import dev.tollgate.core.routing.Split;
import dev.tollgate.core.routing.Tier;
import dev.tollgate.core.runtime.MockEndpoints;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a bound config that passed every check into a {@link RuntimeSnapshot}. This is the only step with side
 * effects: a {@code mock} provider's server is started (or reused) through {@link MockEndpoints}, and the provider
 * becomes an OpenAI-speaking provider at that address, so mock traffic takes the same path as real traffic. Keys,
 * teams and budgets become the snapshot's {@link AccessPolicy}; a file without them compiles to an open one. The
 * routing sections become its {@link RoutingTable}: without them, no tiers, splits or shadows, automatic selection
 * off, and default resilience. Prompts and experiments become its {@link PromptRegistry}.
 */
final class SnapshotCompiler {
    private static final Price FREE = Price.simple(Money.ZERO, Money.ZERO);

    /** The wire protocol of the built-in mock server. */
    static final String MOCK_WIRE_TYPE = "openai";

    private final MockEndpoints mocks;

    SnapshotCompiler(MockEndpoints mocks) {
        this.mocks = requireNonNull(mocks, "mocks");
    }

    /**
     * The snapshot, or the problems of starting its mock servers.
     *
     * @param text the YAML {@code config} was bound from
     * @param problems must hold no errors yet: a config with problems is never compiled
     */
    LoadResult compile(TollgateConfig config, String source, String text, Diagnostics problems) {
        if (problems.hasErrors()) {
            throw new IllegalStateException("compiling a config with problems");
        }
        var providers = new LinkedHashMap<String, Provider>();
        for (ProviderConfig p : config.providers().values()) {
            if (!p.isMock()) {
                providers.put(p.id(), new Provider(p.id(), p.type(), p.baseUrl(), p.apiKey(), p.authHeader(),
                        p.headers(), p.timeouts(), p.apiVersion(), p.aws()));
                continue;
            }
            URI endpoint = mockEndpoint(p, problems);
            if (endpoint != null) {
                providers.put(p.id(), new Provider(
                        p.id(), MOCK_WIRE_TYPE, endpoint, null, p.authHeader(), p.headers(), p.timeouts(), null, null));
            }
        }
        if (problems.hasErrors()) {
            return new LoadResult.Invalid(problems.errors());
        }
        return new LoadResult.Loaded(
                new RuntimeSnapshot(source, config.server(), providers, models(config, providers), access(config),
                        prices(config), config.storage(), routing(config), cache(config), config.tracing(),
                        config.metrics(), review(config), prompts(config), config.guardrails(),
                        config.evaluation().settings()),
                problems.warnings(), text);
    }

    private URI mockEndpoint(ProviderConfig p, Diagnostics problems) {
        try {
            return requireNonNull(mocks.endpointFor(p.id(), p.mock()), "mock endpoint");
        } catch (RuntimeException e) {
            // A port already in use, say: the reload fails with a reason and the old snapshot keeps serving.
            problems.error(p.origin(), "cannot start the mock server: " + e);
            return null;
        }
    }

    private static AccessPolicy access(TollgateConfig config) {
        BudgetsConfig budgets = config.budgets();
        return new AccessPolicy(config.teams(), config.keys().stream().map(KeyConfig::compile).toList(),
                budgets.global(), budgets.zone(), budgets.unpriced(), budgets.unpricedPrice(), budgets.webhook(),
                config.adminKeys());
    }

    /**
     * The config's prices, plus a zero price for each deployment on a built-in mock that the config does not price:
     * a mock answers for free (it becomes an OpenAI-speaking provider here, so the price book cannot tell it apart),
     * and a price the config gives it wins, so budgets can be tried against a mock.
     */
    private static Map<String, Price> prices(TollgateConfig config) {
        var prices = new LinkedHashMap<String, Price>();
        config.prices().forEach((name, price) -> prices.put(name, price.price()));
        for (ModelConfig model : config.models().values()) {
            for (DeploymentConfig d : model.deployments()) {
                ProviderConfig provider = config.providers().get(d.provider());
                String own = d.provider() + "/" + d.model();
                if (provider.isMock() && !prices.containsKey(own) && !config.prices().containsKey(d.model())) {
                    prices.put(own, FREE);
                }
            }
        }
        return prices;
    }

    private static Map<String, ModelGroup> models(TollgateConfig config, Map<String, Provider> providers) {
        var models = new LinkedHashMap<String, ModelGroup>();
        for (ModelConfig model : config.models().values()) {
            var deployments = new ArrayList<Deployment>();
            for (DeploymentConfig d : model.deployments()) {
                String id = model.name() + "/" + d.provider() + "/" + d.model();
                deployments.add(new Deployment(id, providers.get(d.provider()), d.model(), d.weight(), d.limits(),
                        d.priority(), d.contextWindow(), d.tags(), d.loadMetrics()));
            }
            var policy = new GroupPolicy(model.strategy(),
                    model.rules().stream().map(RouteRuleConfig::compile).toList(), model.fallbacks().compile());
            models.put(model.name(), new ModelGroup(model.name(), model.operation(), deployments, policy));
        }
        return models;
    }

    /** The review section with each chat model's own rate. */
    private static ReviewSettings review(TollgateConfig config) {
        ReviewSettings section = config.review();
        var rates = new LinkedHashMap<String, Double>();
        for (ModelConfig model : config.models().values()) {
            if (model.reviewRate() != null) {
                rates.put(model.name(), model.reviewRate());
            }
        }
        return new ReviewSettings(section.sampleRate(), rates, section.maxChars(), section.retention());
    }

    /** The cache section with each model's override laid over it. */
    private static CacheSettings cache(TollgateConfig config) {
        CacheSettings section = config.cache();
        var models = new LinkedHashMap<String, CachePolicy>();
        for (ModelConfig model : config.models().values()) {
            if (model.cache() != null) {
                models.put(model.name(), model.cache().over(section.defaults()));
            }
        }
        return new CacheSettings(section.maxBytes(), section.shared(), section.defaults(), models);
    }

    /** The prompts and experiments in file order; a file without them compiles to {@link PromptRegistry#EMPTY}. */
    private static PromptRegistry prompts(TollgateConfig config) {
        var prompts = new LinkedHashMap<String, Prompt>();
        config.prompts().forEach((id, prompt) -> prompts.put(id, prompt.compile()));
        var experiments = new LinkedHashMap<String, Experiment>();
        config.experiments().forEach((name, experiment) -> experiments.put(name, experiment.compile()));
        return new PromptRegistry(prompts, experiments);
    }

    /** Tiers in file order; splits and shadows by the model name they apply to. */
    private static RoutingTable routing(TollgateConfig config) {
        var tiers = new LinkedHashMap<String, Tier>();
        config.tiers().forEach((name, tier) -> tiers.put(name, tier.compile()));
        var splits = new LinkedHashMap<String, Split>();
        config.splits().values().forEach(split -> splits.put(split.model(), split.compile()));
        var shadows = new LinkedHashMap<String, Shadow>();
        config.shadows().forEach(shadow -> shadows.put(shadow.model(), shadow.compile()));
        AutoTier autoTier = config.autoTier() == null ? AutoTier.OFF : config.autoTier().compile();
        return new RoutingTable(tiers, autoTier, splits, shadows, config.resilience());
    }
}
