package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.Tier;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code tiers} as written. Whether its models exist and serve chat is a cross-section check
 * ({@link ConfigValidator}).
 *
 * @param origin where the tier's entry starts
 * @param models model names with their positions, in order; never empty in a valid config
 */
record TierConfig(String name, Origin origin, Map<String, Origin> models) {
    TierConfig {
        requireNonNull(name, "name");
        requireNonNull(origin, "origin");
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    Tier compile() {
        return new Tier(name, List.copyOf(models.keySet()));
    }
}
