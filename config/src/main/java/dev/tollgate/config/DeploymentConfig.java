package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.quota.Limits;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One item of a model's {@code deployments} as written. The provider is only a name here: whether it exists is a
 * cross-section check ({@link ConfigValidator}), which reports it at {@code providerOrigin}.
 *
 * @param origin where the item starts
 * @param provider the provider id as written, null when missing
 * @param model the upstream model name (the public name when the file gives none)
 * @param limits {@link Limits#NONE} when the file gives none
 * @param contextWindow 0 when the file gives none
 * @param tags the tags as written, in file order, without the implicit {@code provider}
 * @param loadMetrics null when the file gives none
 */
record DeploymentConfig(Origin origin, String provider, Origin providerOrigin, String model, int weight,
        Limits limits, int priority, long contextWindow, Map<String, String> tags, URI loadMetrics) {
    DeploymentConfig {
        requireNonNull(origin, "origin");
        requireNonNull(providerOrigin, "providerOrigin");
        requireNonNull(model, "model");
        requireNonNull(limits, "limits");
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    /** The value of a tag, counting the implicit {@code provider} tag, as route rules see it; null when none. */
    String tag(String name) {
        String value = tags.get(name);
        return value == null && name.equals(ModelsSection.PROVIDER_TAG) ? provider : value;
    }
}
