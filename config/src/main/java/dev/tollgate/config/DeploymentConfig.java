package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.quota.Limits;

/**
 * One item of a model's {@code deployments} as written. The provider is only a name here: whether it exists is a
 * cross-section check ({@link ConfigValidator}), which reports it at {@code providerOrigin}.
 *
 * @param origin where the item starts
 * @param provider the provider id as written, null when missing
 * @param model the upstream model name (the public name when the file gives none)
 * @param limits {@link Limits#NONE} when the file gives none
 */
record DeploymentConfig(Origin origin, String provider, Origin providerOrigin, String model, int weight,
        Limits limits) {
    DeploymentConfig {
        requireNonNull(origin, "origin");
        requireNonNull(providerOrigin, "providerOrigin");
        requireNonNull(model, "model");
        requireNonNull(limits, "limits");
    }
}
