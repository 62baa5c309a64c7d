package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AdminKey;
import dev.tollgate.core.access.Team;
import dev.tollgate.core.cache.CacheSettings;
import dev.tollgate.core.guard.GuardrailPolicy;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.quality.ReviewSettings;
import dev.tollgate.core.routing.Resilience;
import dev.tollgate.core.runtime.MetricsSettings;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.core.runtime.StorageSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A config file as bound, before cross-checks and compilation: one value per top-level section. A new section is a
 * new component here, a binder for it in {@link ConfigBinder}, its keys in the schema and a chapter in the docs.
 *
 * @param providers provider id to provider, in file order: every provider the file declares, even one with problems,
 *     so that references to it are not reported as unknown too
 * @param models public model name to model, in file order
 * @param teams team name to team, in file order
 * @param keys the virtual keys, in file order
 * @param prices price name to price, in file order
 * @param tiers tier name to tier, in file order
 * @param autoTier null when the file has no {@code auto_tier} (automatic selection is off)
 * @param splits split name to split, in file order
 * @param shadows in file order
 * @param cache the {@code cache} section, without the models' own settings (the compiler lays those over it)
 * @param tracing the {@code tracing} section
 * @param metrics the {@code metrics} section
 * @param review the {@code review} section, without the models' own rates (the compiler adds those)
 * @param prompts prompt id to prompt, in file order
 * @param experiments experiment name to experiment, in file order
 * @param guardrails the guardrails, compiled, and where they are attached
 * @param evaluation the {@code evaluation} section, with what its evaluators name elsewhere
 */
record TollgateConfig(
        ServerSettings server,
        List<AdminKey> adminKeys,
        StorageSettings storage,
        Map<String, ProviderConfig> providers,
        Map<String, ModelConfig> models,
        BudgetsConfig budgets,
        Map<String, Team> teams,
        List<KeyConfig> keys,
        Map<String, PriceConfig> prices,
        Map<String, TierConfig> tiers,
        AutoTierConfig autoTier,
        Map<String, SplitConfig> splits,
        List<ShadowConfig> shadows,
        Resilience resilience,
        CacheSettings cache,
        TraceSettings tracing,
        MetricsSettings metrics,
        ReviewSettings review,
        Map<String, PromptConfig> prompts,
        Map<String, ExperimentConfig> experiments,
        GuardrailPolicy guardrails,
        EvaluationConfig evaluation) {
    TollgateConfig {
        requireNonNull(server, "server");
        adminKeys = List.copyOf(adminKeys);
        requireNonNull(storage, "storage");
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        requireNonNull(budgets, "budgets");
        teams = Collections.unmodifiableMap(new LinkedHashMap<>(teams));
        keys = List.copyOf(keys);
        prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
        tiers = Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
        splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
        shadows = List.copyOf(shadows);
        requireNonNull(resilience, "resilience");
        requireNonNull(cache, "cache");
        requireNonNull(tracing, "tracing");
        requireNonNull(metrics, "metrics");
        requireNonNull(review, "review");
        prompts = Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
        experiments = Collections.unmodifiableMap(new LinkedHashMap<>(experiments));
        requireNonNull(guardrails, "guardrails");
        requireNonNull(evaluation, "evaluation");
    }
}
