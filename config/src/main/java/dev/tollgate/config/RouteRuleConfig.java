package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.RouteRule;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One item of a model's {@code rules} as written.
 *
 * @param name as written, or {@code rules[<index>]}
 * @param tags the tags a deployment must carry to be selected, in file order; never empty in a valid config
 */
record RouteRuleConfig(String name, WhenConfig when, Map<String, String> tags) {
    RouteRuleConfig {
        requireNonNull(name, "name");
        requireNonNull(when, "when");
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    RouteRule compile() {
        return new RouteRule(name, when.condition(), tags);
    }
}
