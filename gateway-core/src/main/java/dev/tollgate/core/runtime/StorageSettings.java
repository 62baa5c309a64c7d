package dev.tollgate.core.runtime;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where state lives. Changing any of these needs a restart.
 *
 * @param ledger a JDBC target: {@code sqlite:<path>} (the default, {@code data/tollgate.db}) or
 *     {@code postgresql://host:port/db?user=...}; null turns the ledger off (no spend rows, no runtime keys,
 *     budgets start from zero at each restart)
 * @param redis {@code redis://host:port[/db]}: limit and budget counters shared by every replica; null keeps
 *     them in this process
 * @param redisPrefix prepended to every Redis key, so several gateways (or tests) can share one server
 * @param limitsOnRedisFailure what rate limits do while Redis is unreachable
 * @param budgetsOnRedisFailure what budgets do while Redis is unreachable
 * @param spillDir where ledger rows wait, on disk, while the database is down
 * @param spillMaxBytes the spill file's cap; rows beyond it are counted as lost and logged
 */
public record StorageSettings(
        Secret ledger,
        Secret redis,
        String redisPrefix,
        OnStoreFailure limitsOnRedisFailure,
        OnStoreFailure budgetsOnRedisFailure,
        Path spillDir,
        long spillMaxBytes) {

    /** While a shared counter store is unreachable. */
    public enum OnStoreFailure {
        /** Refuse with 503 and Retry-After: nothing is admitted that could not be counted. */
        FAIL_CLOSED,
        /** Count in this process meanwhile: each replica enforces the limit on its own. */
        LOCAL
    }

    public StorageSettings {
        requireNonNull(redisPrefix, "redisPrefix");
        requireNonNull(limitsOnRedisFailure, "limitsOnRedisFailure");
        requireNonNull(budgetsOnRedisFailure, "budgetsOnRedisFailure");
        requireNonNull(spillDir, "spillDir");
    }
}
