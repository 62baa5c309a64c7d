package dev.tollgate.server.spend;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.access.Team;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.ledger.GroupBy;
import dev.tollgate.core.ledger.ReportQuery;
import dev.tollgate.core.ledger.ReportRow;
import dev.tollgate.core.ledger.SpendLedger;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.PeriodWindow;
import dev.tollgate.core.quota.QuotaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Seeds budget counters from the ledger at startup, so a restart never resets a budget: for each scope with a
 * budget, the spend recorded since its period began. Blocking; runs once before the gateway listens. A shared
 * store that already holds more (kept by other replicas) keeps its own value.
 */
public final class BudgetRebuild {
    private final SpendLedger ledger;
    private final QuotaStore store;
    private final Instant now;
    private final AccessPolicy policy;
    /** One report per (grouping, period start, key filter): many scopes share a period. */
    private final Map<ReportQuery, List<ReportRow>> reports = new HashMap<>();

    private BudgetRebuild(SpendLedger ledger, QuotaStore store, Instant now, AccessPolicy policy) {
        this.ledger = ledger;
        this.store = store;
        this.now = now;
        this.policy = policy;
    }

    /** @return the number of scopes seeded with a non-zero spend */
    public static int run(AccessPolicy policy, List<VirtualKey> keys, SpendLedger ledger, QuotaStore store,
                          Instant now, Duration timeout) throws Exception {
        var rebuild = new BudgetRebuild(ledger, store, now, policy);
        long deadline = System.nanoTime() + timeout.toNanos();
        int seeded = 0;
        if (policy.globalBudget() != null) {
            seeded += rebuild.seed(AccessPolicy.GLOBAL_SCOPE, policy.globalBudget(), GroupBy.TEAM, null, null,
                    deadline);
        }
        for (Team team : policy.teams().values()) {
            if (team.budget() != null) {
                seeded += rebuild.seed(team.scope(), team.budget(), GroupBy.TEAM, team.name(), null, deadline);
            }
        }
        for (VirtualKey key : keys) {
            if (key.budget() != null) {
                seeded += rebuild.seed(key.scope(), key.budget(), GroupBy.KEY, key.name(), null, deadline);
            }
            if (key.perUser() != null && key.perUser().budget() != null) {
                seeded += rebuild.seedUsers(key, deadline);
            }
        }
        return seeded;
    }

    /** Seeds {@code scope} with the rows whose {@code groupBy} value is {@code group} (null: every row). */
    private int seed(String scope, Budget budget, GroupBy groupBy, String group, String keyFilter, long deadline)
            throws Exception {
        PeriodWindow window = budget.period().window(now, policy.zone());
        Money spent = Money.ZERO;
        for (ReportRow row : rows(window, groupBy, keyFilter, deadline)) {
            if (group == null || group.equals(row.group())) {
                spent = spent.plus(row.cost());
            }
        }
        if (spent.isZero()) {
            return 0;
        }
        store.seed(scope, window, spent).toCompletableFuture().get(remaining(deadline), TimeUnit.NANOSECONDS);
        return 1;
    }

    private int seedUsers(VirtualKey key, long deadline) throws Exception {
        Budget budget = key.perUser().budget();
        PeriodWindow window = budget.period().window(now, policy.zone());
        int seeded = 0;
        for (ReportRow row : rows(window, GroupBy.USER, key.name(), deadline)) {
            if (row.group() != null && !row.cost().isZero()) {
                store.seed(Accounting.userScope(key.name(), row.group()), window, row.cost()).toCompletableFuture()
                        .get(remaining(deadline), TimeUnit.NANOSECONDS);
                seeded++;
            }
        }
        return seeded;
    }

    private List<ReportRow> rows(PeriodWindow window, GroupBy groupBy, String keyFilter, long deadline)
            throws Exception {
        // Up to a day past now: rows stamped by a replica whose clock runs a little ahead still count.
        var query = new ReportQuery(window.start(), now.plus(Duration.ofDays(1)), groupBy, keyFilter, null);
        List<ReportRow> rows = reports.get(query);
        if (rows == null) {
            rows = ledger.report(query).toCompletableFuture().get(remaining(deadline), TimeUnit.NANOSECONDS);
            reports.put(query, rows);
        }
        return rows;
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }
}
