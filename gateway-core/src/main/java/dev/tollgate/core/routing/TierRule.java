package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

/**
 * One rule of automatic tier selection: when the request matches, it goes to {@code tier}.
 *
 * @param name reported in the {@code x-tollgate-tier-rule} header and the access log
 */
public record TierRule(String name, Condition when, String tier) {
    public TierRule {
        requireNonNull(name, "name");
        requireNonNull(when, "when");
        requireNonNull(tier, "tier");
    }
}
