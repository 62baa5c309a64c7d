package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Automatic tier selection: a client that asks for one of {@code aliases} as its model gets the tier of the first
 * rule its request matches, or {@code defaultTier}.
 *
 * @param aliases model names that ask for automatic selection ({@code auto} unless configured otherwise)
 * @param defaultTier null when automatic selection is off (no {@code auto_tier} section)
 */
public record AutoTier(List<String> aliases, String defaultTier, List<TierRule> rules) {
    public static final AutoTier OFF = new AutoTier(List.of(), null, List.of());

    public AutoTier {
        aliases = List.copyOf(aliases);
        rules = List.copyOf(rules);
    }

    /** The tier for a request, and the rule that chose it (null when the default did). */
    public Choice choose(RequestFeatures request) {
        requireNonNull(defaultTier, "automatic tier selection is off");
        for (TierRule rule : rules) {
            if (rule.when().test(request)) {
                return new Choice(rule.tier(), rule.name());
            }
        }
        return new Choice(defaultTier, null);
    }

    /** @param rule null when the default tier was taken */
    public record Choice(String tier, String rule) {}
}
