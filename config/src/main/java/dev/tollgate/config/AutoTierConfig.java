package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.AutoTier;
import dev.tollgate.core.routing.TierRule;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code auto_tier} section as written. Its tier names and aliases are checked against the other sections in
 * {@link ConfigValidator}.
 *
 * @param origin where the section starts
 * @param aliases the names that ask for automatic selection, with their positions ({@code auto} when not given)
 * @param defaultTier null when missing (such a config is never compiled)
 */
record AutoTierConfig(Origin origin, Map<String, Origin> aliases, String defaultTier, Origin defaultOrigin,
        List<Rule> rules) {
    AutoTierConfig {
        requireNonNull(origin, "origin");
        aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
        requireNonNull(defaultOrigin, "defaultOrigin");
        rules = List.copyOf(rules);
    }

    /**
     * One item of {@code rules}.
     *
     * @param name as written, or {@code rules[<index>]}
     * @param tier null when missing
     */
    record Rule(String name, WhenConfig when, String tier, Origin tierOrigin) {
        Rule {
            requireNonNull(name, "name");
            requireNonNull(when, "when");
            requireNonNull(tierOrigin, "tierOrigin");
        }
    }

    AutoTier compile() {
        return new AutoTier(List.copyOf(aliases.keySet()), defaultTier,
                rules.stream().map(r -> new TierRule(r.name(), r.when().condition(), r.tier())).toList());
    }
}
