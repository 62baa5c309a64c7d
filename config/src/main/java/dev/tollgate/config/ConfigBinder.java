package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.cache.CacheSettings;
import dev.tollgate.core.guard.GuardrailPolicy;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.quality.ReviewSettings;
import dev.tollgate.core.routing.Resilience;
import dev.tollgate.core.runtime.MetricsSettings;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.core.runtime.StorageSettings;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks a located tree into a {@link TollgateConfig}, one section binder per top-level key, collecting every
 * problem. Adding a section: declare its key here, write its binder on {@link MappingReader}, add a component to
 * {@link TollgateConfig}, list its keys in {@link #vocabulary()} (the schema test holds the JSON Schema to it).
 */
final class ConfigBinder {
    static final Set<String> ROOT_KEYS = Set.of(
            "server", "admin", "storage", "providers", "models", "budgets", "teams", "keys", "prices", "tiers",
            "auto_tier", "splits", "shadow", "resilience", "cache", "tracing", "metrics",
            "review", "prompts", "experiments", "guardrails", "evaluation");

    private final ProvidersSection providers;
    private final StorageSection storage;
    private final BudgetsSection budgets;
    private final AdminSection admin;
    private final TracingSection tracing;

    ConfigBinder(ProvidersSection providers, StorageSection storage, BudgetsSection budgets, AdminSection admin,
                 TracingSection tracing) {
        this.providers = requireNonNull(providers, "providers");
        this.tracing = requireNonNull(tracing, "tracing");
        this.admin = requireNonNull(admin, "admin");
        this.storage = requireNonNull(storage, "storage");
        this.budgets = requireNonNull(budgets, "budgets");
    }

    /**
     * The keys each fixed-shape mapping accepts, by schema path: {@code *} stands for any id or name,
     * {@code []} for any list item.
     */
    static Map<String, Set<String>> vocabulary() {
        return Map.ofEntries(
                Map.entry("", ROOT_KEYS),
                Map.entry("server", ServerSection.KEYS),
                Map.entry("admin", AdminSection.KEYS),
                Map.entry("admin.keys[]", AdminSection.KEY_KEYS),
                Map.entry("storage", StorageSection.KEYS),
                Map.entry("storage.on_redis_failure", StorageSection.ON_FAILURE_KEYS),
                Map.entry("providers.*", ProvidersSection.KEYS),
                Map.entry("providers.*.timeouts", ProvidersSection.TIMEOUT_KEYS),
                Map.entry("providers.*.mock", MockSection.KEYS),
                Map.entry("providers.*.mock.faults", MockSection.FAULT_KEYS),
                Map.entry("models.*", ModelsSection.KEYS),
                Map.entry("models.*.deployments[]", ModelsSection.DEPLOYMENT_KEYS),
                Map.entry("models.*.deployments[].limits", QuotaSection.LIMIT_KEYS),
                Map.entry("models.*.rules[]", ModelsSection.RULE_KEYS),
                Map.entry("models.*.rules[].when", ConditionSection.KEYS),
                Map.entry("budgets", BudgetsSection.KEYS),
                Map.entry("budgets.global", QuotaSection.BUDGET_KEYS),
                Map.entry("budgets.unpriced_price", PricesSection.KEYS),
                Map.entry("budgets.alert_webhook", BudgetsSection.WEBHOOK_KEYS),
                Map.entry("teams.*", TeamsSection.KEYS),
                Map.entry("teams.*.limits", QuotaSection.LIMIT_KEYS),
                Map.entry("teams.*.budget", QuotaSection.BUDGET_KEYS),
                Map.entry("keys[]", KeysSection.KEYS),
                Map.entry("keys[].limits", QuotaSection.LIMIT_KEYS),
                Map.entry("keys[].budget", QuotaSection.BUDGET_KEYS),
                Map.entry("keys[].per_user", KeysSection.PER_USER_KEYS),
                Map.entry("keys[].per_user.limits", QuotaSection.LIMIT_KEYS),
                Map.entry("keys[].per_user.budget", QuotaSection.BUDGET_KEYS),
                Map.entry("prices.*", PricesSection.KEYS),
                Map.entry("auto_tier", TiersSection.AUTO_TIER_KEYS),
                Map.entry("auto_tier.rules[]", TiersSection.RULE_KEYS),
                Map.entry("auto_tier.rules[].when", ConditionSection.KEYS),
                Map.entry("splits.*", SplitsSection.KEYS),
                Map.entry("shadow[]", ShadowSection.KEYS),
                Map.entry("resilience", ResilienceSection.KEYS),
                Map.entry("resilience.retries", ResilienceSection.RETRY_KEYS),
                Map.entry("resilience.circuit_breaker", ResilienceSection.BREAKER_KEYS),
                Map.entry("resilience.client", ResilienceSection.CLIENT_KEYS),
                Map.entry("cache", CacheSection.KEYS),
                Map.entry("models.*.cache", CacheSection.MODEL_KEYS),
                Map.entry("tracing", TracingSection.KEYS),
                Map.entry("metrics", MetricsSection.KEYS),
                Map.entry("review", ReviewSection.KEYS),
                Map.entry("models.*.review", ReviewSection.MODEL_KEYS),
                Map.entry("prompts.*", PromptsSection.KEYS),
                Map.entry("prompts.*.versions.*", PromptsSection.VERSION_KEYS),
                Map.entry("prompts.*.versions.*.params", PromptsSection.PARAM_KEYS),
                Map.entry("prompts.*.versions.*.messages[]", PromptsSection.MESSAGE_KEYS),
                Map.entry("experiments.*", ExperimentsSection.KEYS),
                Map.entry("experiments.*.arms.*", ExperimentsSection.ARM_KEYS),
                Map.entry("guardrails.*", GuardrailsSection.KEYS),
                Map.entry("evaluation", EvaluationSection.KEYS),
                Map.entry("evaluation.evaluators.*", EvaluationSection.EVALUATOR_KEYS),
                Map.entry("evaluation.evaluators.*.rubric", EvaluationSection.RUBRIC_KEYS));
    }

    /** @param base the directory relative paths in the file resolve against */
    TollgateConfig bind(YamlNode root, Path base, Diagnostics problems) {
        MappingReader file = MappingReader.of(root, "", ROOT_KEYS, problems);
        ServerSettings server = ServerSection.bind(file.child("server", ServerSection.KEYS), base, problems);
        AdminSection.Bound boundAdmin = admin.bind(file.child("admin", AdminSection.KEYS), problems);
        StorageSettings boundStorage = storage.bind(file.child("storage", StorageSection.KEYS), base, problems);

        var providerEntries = file.requiredEntries("providers", "at least one provider is required");
        var boundProviders = providers.bind(providerEntries, file.path("providers"), problems);
        var modelEntries = file.requiredEntries("models", "at least one model is required");
        var models = ModelsSection.bind(modelEntries, file.path("models"), boundStorage.ledger() != null, problems);
        BudgetsConfig boundBudgets = budgets.bind(file.child("budgets", BudgetsSection.KEYS), problems);
        var teams = TeamsSection.bind(file.entries("teams"), file.path("teams"), problems);
        var keyItems = file.items("keys", null);
        var keys = KeysSection.bind(keyItems == null ? List.of() : keyItems, file.path("keys"), problems);
        AdminSection.checkSeparate(boundAdmin.keys(), keys, problems);
        var prices = PricesSection.bind(file.entries("prices"), file.path("prices"), problems);
        var tiers = TiersSection.bind(file.entries("tiers"), file.path("tiers"), problems);
        AutoTierConfig autoTier = TiersSection.autoTier(file, problems);
        var splits = SplitsSection.bind(file.entries("splits"), file.path("splits"), problems);
        var shadowItems = file.items("shadow", null);
        var shadows = ShadowSection.bind(shadowItems == null ? List.of() : shadowItems, file.path("shadow"), problems);
        Resilience resilience = ResilienceSection.bind(file.child("resilience", ResilienceSection.KEYS), problems);
        CacheSettings cache = CacheSection.bind(file.child("cache", CacheSection.KEYS), boundStorage.redis() != null,
                problems);
        TraceSettings boundTracing = tracing.bind(file.child("tracing", TracingSection.KEYS), problems);
        MetricsSettings metrics = MetricsSection.bind(file.child("metrics", MetricsSection.KEYS));
        ReviewSettings review = ReviewSection.bind(file.child("review", ReviewSection.KEYS),
                boundStorage.ledger() != null, problems);
        var prompts = PromptsSection.bind(file.entries("prompts"), file.path("prompts"), base, problems);
        var experiments = ExperimentsSection.bind(file.entries("experiments"), file.path("experiments"), problems);
        var guardrailEntries = file.entries("guardrails");
        GuardrailPolicy guardrails = GuardrailsSection.bind(file, guardrailEntries, modelEntries,
                keyItems == null ? List.of() : keyItems, file.entries("teams"), problems);
        var guardrailNames = new HashSet<String>();
        guardrailEntries.forEach(entry -> guardrailNames.add(entry.key()));
        EvaluationConfig evaluation = EvaluationSection.bind(file.child("evaluation", EvaluationSection.KEYS),
                guardrails, guardrailNames, boundStorage.ledger() != null, problems);
        return new TollgateConfig(server, boundAdmin.inForce(), boundStorage, boundProviders, models, boundBudgets,
                teams, keys, prices, tiers, autoTier, splits, shadows, resilience, cache, boundTracing, metrics, review,
                prompts, experiments, guardrails, evaluation);
    }
}
