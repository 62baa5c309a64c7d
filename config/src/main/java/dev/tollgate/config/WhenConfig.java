package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.Condition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code when} as written: its condition, already compiled, and the team names it tests for, which must exist in
 * {@code teams} (a cross-section check in {@link ConfigValidator}, reported at each name's position).
 *
 * @param teams the names under {@code teams}, in file order; empty when it tests no team
 */
record WhenConfig(Condition condition, Map<String, Origin> teams) {
    WhenConfig {
        requireNonNull(condition, "condition");
        teams = Collections.unmodifiableMap(new LinkedHashMap<>(teams));
    }
}
