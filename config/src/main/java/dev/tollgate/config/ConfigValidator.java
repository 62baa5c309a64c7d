package dev.tollgate.config;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The checks that span sections, run on a bound config: every deployment names a declared provider, every key a
 * declared team and declared models; a provider no model uses, and a provider's price no deployment of it can
 * use, are worth a warning. The routing sections' references are checked by {@link RoutingValidator}, the prompt
 * registry's by {@link PromptsValidator}, the evaluators' by {@link EvaluationValidator}. Checks
 * within one section are made by its binder.
 */
final class ConfigValidator {
    private ConfigValidator() {}

    static void check(TollgateConfig config, Diagnostics problems) {
        Set<String> used = new HashSet<>();
        Set<String> served = new HashSet<>();
        for (ModelConfig model : config.models().values()) {
            for (DeploymentConfig deployment : model.deployments()) {
                String provider = deployment.provider();
                if (provider == null) {
                    continue;
                }
                if (config.providers().containsKey(provider)) {
                    used.add(provider);
                    served.add(provider + "/" + deployment.model());
                } else {
                    problems.error(deployment.providerOrigin(), "unknown provider '" + provider + "'"
                            + Suggestion.didYouMean(provider, config.providers().keySet()));
                }
            }
        }
        for (ProviderConfig provider : config.providers().values()) {
            if (!used.contains(provider.id())) {
                problems.warn(provider.origin(), "provider '" + provider.id() + "' is not used by any model");
            }
        }
        RoutingValidator.check(config, problems);
        PromptsValidator.check(config, problems);
        EvaluationValidator.check(config, problems);
        Set<String> requestable = RoutingValidator.requestableNames(config);
        for (KeyConfig key : config.keys()) {
            checkKey(key, config.teams().keySet(), requestable, problems);
        }
        for (PriceConfig price : config.prices().values()) {
            int slash = price.name().indexOf('/');
            // A name with a slash may be an upstream model's own ("meta-llama/Llama-3.1-8B"): only a declared
            // provider id before the slash makes it one provider's price.
            if (slash > 0 && config.providers().containsKey(price.name().substring(0, slash))
                    && !served.contains(price.name())) {
                problems.warn(price.origin(), "no deployment of provider '" + price.name().substring(0, slash)
                        + "' serves model '" + price.name().substring(slash + 1) + "', so this price is never used");
            }
        }
    }

    /**
     * A key's references: its team and its models must exist (shared by the file and the admin API's keys).
     *
     * @param models the names clients may send: model names, {@code tier:<name>}, aliases and splits' models
     */
    static void checkKey(KeyConfig key, Set<String> teams, Set<String> models, Diagnostics problems) {
        if (key.team() != null && !teams.contains(key.team())) {
            problems.error(key.teamOrigin(), "unknown team '" + key.team() + "'"
                    + Suggestion.didYouMean(key.team(), teams));
        }
        for (Map.Entry<String, Origin> model : key.models().entrySet()) {
            String name = model.getKey();
            if (!name.endsWith("*") && !models.contains(name)) {
                problems.error(model.getValue(), "unknown model '" + name + "'"
                        + Suggestion.didYouMean(name, models)
                        + "; list public model names from models, or a prefix ending in *");
            }
        }
    }
}
