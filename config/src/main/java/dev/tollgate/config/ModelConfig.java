package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.spi.Operation;
import java.util.List;

/**
 * One entry of {@code models} as written: a public model name and where it is served.
 *
 * @param origin where the model's entry starts
 * @param operation from {@code mode}
 */
record ModelConfig(String name, Origin origin, Operation operation, List<DeploymentConfig> deployments) {
    ModelConfig {
        requireNonNull(name, "name");
        requireNonNull(origin, "origin");
        requireNonNull(operation, "operation");
        deployments = List.copyOf(deployments);
    }
}
