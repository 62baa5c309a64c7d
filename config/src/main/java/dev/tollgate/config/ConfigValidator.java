package dev.tollgate.config;

import java.util.HashSet;
import java.util.Set;

/**
 * The checks that span sections, run on a bound config: every deployment names a declared provider, and a
 * provider no model uses is worth a warning. Checks within one section are made by its binder.
 */
final class ConfigValidator {
    private ConfigValidator() {}

    static void check(TollgateConfig config, Diagnostics problems) {
        Set<String> used = new HashSet<>();
        for (ModelConfig model : config.models().values()) {
            for (DeploymentConfig deployment : model.deployments()) {
                String provider = deployment.provider();
                if (provider == null) {
                    continue;
                }
                if (config.providers().containsKey(provider)) {
                    used.add(provider);
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
    }
}
