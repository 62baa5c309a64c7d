package dev.tollgate.core.access;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import java.util.Map;

/**
 * A group of keys sharing limits and a budget.
 *
 * @param budget null when the team has none
 */
public record Team(String name, Limits limits, Budget budget, Map<String, String> metadata) {
    public Team {
        requireNonNull(name, "name");
        requireNonNull(limits, "limits");
        metadata = Map.copyOf(metadata);
    }

    /** The store key of this team's counters. */
    public String scope() {
        return "team:" + name;
    }
}
