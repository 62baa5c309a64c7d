package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A conditional rule of a model group: when the request matches, only the deployments carrying every one of
 * {@code tags} are candidates (the strategy then chooses among them). The first matching rule applies; when its
 * subset has no available deployment, the group's other deployments are still tried after it.
 *
 * @param name how the access log names it
 */
public record RouteRule(String name, Condition when, Map<String, String> tags) {
    public RouteRule {
        requireNonNull(name, "name");
        requireNonNull(when, "when");
        tags = Map.copyOf(tags);
        if (tags.isEmpty()) {
            throw new IllegalArgumentException("a route rule needs tags to select by");
        }
    }

    /** Whether the deployment carries every tag of the rule. */
    public boolean selects(Deployment deployment) {
        for (var tag : tags.entrySet()) {
            if (!tag.getValue().equals(deployment.tag(tag.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
