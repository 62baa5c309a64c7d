package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Predicate;

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

    /**
     * The tier for a request, and the rule that chose it (null when the default did), among the tiers the caller
     * {@code mayUse} (by tier name): a rule whose tier the caller may not use is passed over. Null when neither a
     * matching rule nor the default leads to a usable tier.
     */
    public Choice choose(RequestFeatures request, Predicate<String> mayUse) {
        requireNonNull(defaultTier, "automatic tier selection is off");
        for (TierRule rule : rules) {
            // The cheap test first: a rule's condition may need the body decoded.
            if (mayUse.test(rule.tier()) && rule.when().test(request)) {
                return new Choice(rule.tier(), rule.name());
            }
        }
        return mayUse.test(defaultTier) ? new Choice(defaultTier, null) : null;
    }

    /** @param rule null when the default tier was taken */
    public record Choice(String tier, String rule) {}
}
