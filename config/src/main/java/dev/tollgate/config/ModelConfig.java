package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.Strategy;
import dev.tollgate.core.spi.Operation;
import java.util.List;

/**
 * One entry of {@code models} as written: a public model name, where it is served and how it routes.
 *
 * @param origin where the model's entry starts
 * @param operation from {@code mode}
 * @param rules in file order
 * @param cache the model's own cache settings, or null when it takes the {@code cache} section's
 * @param reviewRate the model's own review sample rate, or null when it takes the {@code review} section's
 */
record ModelConfig(String name, Origin origin, Operation operation, List<DeploymentConfig> deployments,
        Strategy strategy, List<RouteRuleConfig> rules, FallbacksConfig fallbacks, CacheSection.Override cache,
        Double reviewRate) {
    ModelConfig {
        requireNonNull(name, "name");
        requireNonNull(origin, "origin");
        requireNonNull(operation, "operation");
        deployments = List.copyOf(deployments);
        requireNonNull(strategy, "strategy");
        rules = List.copyOf(rules);
        requireNonNull(fallbacks, "fallbacks");
    }
}
