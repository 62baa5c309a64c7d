package dev.tollgate.server.spend;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.access.Team;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.quota.QuotaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Samples the global, team and (when asked) key budgets into the metrics port, for budget-burn dashboards and
 * alerts; a budget left out of a complete sample is dropped from the port. Runs on a housekeeping thread and may block there on the store, within {@link #TIMEOUT} per budget.
 */
public final class BudgetGauges {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private BudgetGauges() {}

    /** @param keys the keys whose budgets to sample too; empty while keys are not metric labels */
    public static void sample(AccessPolicy policy, List<VirtualKey> keys, QuotaStore store, GatewayMetrics metrics,
                              Instant now) throws Exception {
        Set<String> sampled = new HashSet<>();
        if (policy.globalBudget() != null) {
            level(AccessPolicy.GLOBAL_SCOPE, policy.globalBudget(), policy, store, metrics, now, sampled);
        }
        for (Team team : policy.teams().values()) {
            if (team.budget() != null) {
                level(team.scope(), team.budget(), policy, store, metrics, now, sampled);
            }
        }
        for (VirtualKey key : keys) {
            if (key.budget() != null) {
                level(key.scope(), key.budget(), policy, store, metrics, now, sampled);
            }
        }
        // Only after a complete sample: a store call that failed above must not drop the budgets after it.
        metrics.budgetsSampled(sampled);
    }

    private static void level(String scope, Budget budget, AccessPolicy policy, QuotaStore store,
                              GatewayMetrics metrics, Instant now, Set<String> sampled) throws Exception {
        var usage = store.usage(QuotaCheck.at(scope, Limits.NONE, budget, now, policy.zone()), now)
                .toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        metrics.budgetLevel(scope, usage.spent(), budget.limit());
        sampled.add(scope);
    }
}
