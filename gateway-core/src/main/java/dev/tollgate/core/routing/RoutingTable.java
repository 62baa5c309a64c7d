package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything routing reads besides the model groups themselves, compiled from one config.
 *
 * @param tiers by name, in config order (cheapest first by convention)
 * @param splits by the public model name they take over
 * @param shadows by the public model name they mirror
 */
public record RoutingTable(Map<String, Tier> tiers, AutoTier autoTier, Map<String, Split> splits,
                           Map<String, Shadow> shadows, Resilience resilience) {
    public static final RoutingTable DEFAULT = new RoutingTable(Map.of(), AutoTier.OFF, Map.of(), Map.of(),
            Resilience.DEFAULTS);

    public RoutingTable {
        tiers = Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
        requireNonNull(autoTier, "autoTier");
        splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
        shadows = Map.copyOf(shadows);
        requireNonNull(resilience, "resilience");
    }
}
