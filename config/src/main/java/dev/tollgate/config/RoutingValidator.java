package dev.tollgate.config;

import dev.tollgate.core.routing.Tier;
import dev.tollgate.core.spi.Operation;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The routing part of {@link ConfigValidator}'s checks: the model names that fallbacks, tiers, splits and shadows
 * use exist and serve the right mode, automatic selection names declared tiers, its aliases clash with no other
 * name a client sends, and the teams that conditions test exist. Cycles among fallbacks are allowed: the router
 * never enters a model group twice for one request.
 */
final class RoutingValidator {
    private RoutingValidator() {}

    static void check(TollgateConfig config, Diagnostics problems) {
        Map<String, ModelConfig> models = config.models();
        for (ModelConfig model : models.values()) {
            for (Map<String, Origin> list : model.fallbacks().all()) {
                list.forEach((name, at) -> checkFallback(model, name, at, models, problems));
            }
            for (RouteRuleConfig rule : model.rules()) {
                checkTeams(rule.when(), config.teams().keySet(), problems);
            }
        }
        for (TierConfig tier : config.tiers().values()) {
            tier.models().forEach((name, at) -> checkChatModel(name, at, "a tier", models, problems));
        }
        AutoTierConfig auto = config.autoTier();
        if (auto != null) {
            checkTier(auto.defaultTier(), auto.defaultOrigin(), config.tiers().keySet(), problems);
            for (AutoTierConfig.Rule rule : auto.rules()) {
                checkTier(rule.tier(), rule.tierOrigin(), config.tiers().keySet(), problems);
                checkTeams(rule.when(), config.teams().keySet(), problems);
            }
            auto.aliases().forEach((alias, at) -> {
                if (models.containsKey(alias)) {
                    problems.error(at, "'" + alias + "' is a model name; an alias needs a name of its own");
                } else if (config.tiers().containsKey(alias)) {
                    problems.error(at, "'" + alias + "' is a tier name; an alias needs a name of its own (clients "
                            + "ask for the tier as " + Tier.PREFIX + alias + ")");
                }
            });
        }
        for (SplitConfig split : config.splits().values()) {
            if (auto != null && split.model() != null && auto.aliases().containsKey(split.model())) {
                problems.error(split.modelOrigin(), "'" + split.model() + "' is an auto_tier alias; a split takes "
                        + "over a model name");
            }
            for (SplitConfig.Variant variant : split.variants()) {
                checkChatModel(variant.model(), variant.origin(), "a split", models, problems);
            }
        }
        for (ShadowConfig shadow : config.shadows()) {
            checkChatModel(shadow.model(), shadow.modelOrigin(), "a shadow", models, problems);
            checkChatModel(shadow.target(), shadow.targetOrigin(), "a shadow", models, problems);
        }
    }

    /**
     * The names a key's {@code models} may list besides model names: {@code tier:<name>} for each tier, the
     * automatic-tier aliases, and the models splits take over.
     */
    static Set<String> requestableNames(TollgateConfig config) {
        var names = new LinkedHashSet<>(config.models().keySet());
        config.tiers().keySet().forEach(tier -> names.add(Tier.PREFIX + tier));
        if (config.autoTier() != null) {
            names.addAll(config.autoTier().aliases().keySet());
        }
        config.splits().values().forEach(split -> names.add(split.model()));
        names.remove(null);
        return names;
    }

    private static void checkFallback(ModelConfig model, String name, Origin at, Map<String, ModelConfig> models,
            Diagnostics problems) {
        ModelConfig fallback = models.get(name);
        if (name.equals(model.name())) {
            problems.error(at, "a model cannot fall back to itself");
        } else if (fallback == null) {
            problems.error(at, unknownModel(name, models));
        } else if (fallback.operation() != model.operation()) {
            problems.error(at, "model '" + name + "' serves " + mode(fallback.operation()) + ", not "
                    + mode(model.operation()) + " like '" + model.name() + "'");
        }
    }

    /**
     * {@code name}, used by {@code user} ("a prompt"), must be a name a client may send for chat: a chat model, a
     * tier ({@code tier:<name>}), an automatic-tier alias or the model a split takes over. Null names are not set.
     */
    static void checkChatName(String name, Origin at, String user, TollgateConfig config, Diagnostics problems) {
        if (name == null || config.models().containsKey(name)) {
            checkChatModel(name, at, user, config.models(), problems);
            return;
        }
        Set<String> names = requestableNames(config);
        if (!names.contains(name)) {
            problems.error(at, "unknown model '" + name + "'" + Suggestion.didYouMean(name, names));
        }
    }

    /** {@code name}, used by {@code user} ("a tier"), must be a chat model. Null names are already reported. */
    private static void checkChatModel(String name, Origin at, String user, Map<String, ModelConfig> models,
            Diagnostics problems) {
        checkModel(name, at, user, Operation.CHAT, models, problems);
    }

    /**
     * {@code name}, used by {@code user} ("a judge"), must be a model group serving {@code operation}. Null names
     * are already reported.
     */
    static void checkModel(String name, Origin at, String user, Operation operation, Map<String, ModelConfig> models,
            Diagnostics problems) {
        if (name == null) {
            return;
        }
        ModelConfig model = models.get(name);
        if (model == null) {
            problems.error(at, unknownModel(name, models));
        } else if (model.operation() != operation) {
            problems.error(at, "model '" + name + "' serves " + mode(model.operation()) + "; " + user
                    + " takes " + mode(operation) + " models only");
        }
    }

    private static void checkTier(String name, Origin at, Set<String> tiers, Diagnostics problems) {
        if (name != null && !tiers.contains(name)) {
            problems.error(at, "unknown tier '" + name + "'" + (tiers.isEmpty()
                    ? "; declare it under tiers"
                    : Suggestion.didYouMean(name, tiers)));
        }
    }

    private static void checkTeams(WhenConfig when, Set<String> teams, Diagnostics problems) {
        when.teams().forEach((team, at) -> {
            if (!teams.contains(team)) {
                problems.error(at, "unknown team '" + team + "'" + Suggestion.didYouMean(team, teams));
            }
        });
    }

    private static String unknownModel(String name, Map<String, ModelConfig> models) {
        return "unknown model '" + name + "'" + Suggestion.didYouMean(name, models.keySet());
    }

    private static String mode(Operation operation) {
        return ModelsSection.MODES.entrySet().stream().filter(e -> e.getValue() == operation)
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }
}
