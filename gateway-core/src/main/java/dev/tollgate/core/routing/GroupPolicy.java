package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * How one model group routes: its strategy, its conditional rules, and where it falls back to.
 *
 * @param rules tried in order; the first that matches narrows the candidates
 */
public record GroupPolicy(Strategy strategy, List<RouteRule> rules, Fallbacks fallbacks) {
    public static final GroupPolicy DEFAULT = new GroupPolicy(Strategy.WEIGHTED, List.of(), Fallbacks.NONE);

    public GroupPolicy {
        requireNonNull(strategy, "strategy");
        rules = List.copyOf(rules);
        requireNonNull(fallbacks, "fallbacks");
    }
}
