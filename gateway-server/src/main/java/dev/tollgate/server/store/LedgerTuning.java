package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Knobs of the spend ledger that operators rarely touch; tests shorten the timings.
 *
 * @param queueCapacity rows waiting in memory for the writer; a row beyond it is lost (and counted)
 * @param batchSize the most rows in one transaction
 * @param retryMin the wait before the first retry of a database that failed
 * @param retryMax the longest wait between retries (the wait doubles from {@code retryMin})
 * @param connectTimeout how long the writer waits for a connection before it treats the database as down
 */
public record LedgerTuning(int queueCapacity, int batchSize, Duration retryMin, Duration retryMax,
                           Duration connectTimeout) {

    public static final LedgerTuning DEFAULTS = new LedgerTuning(10_000, 500, Duration.ofSeconds(1),
            Duration.ofSeconds(30), Duration.ofSeconds(3));

    public LedgerTuning {
        requireNonNull(retryMin, "retryMin");
        requireNonNull(retryMax, "retryMax");
        requireNonNull(connectTimeout, "connectTimeout");
        if (queueCapacity < 1 || batchSize < 1) {
            throw new IllegalArgumentException("queue capacity and batch size must be positive");
        }
        if (retryMin.isNegative() || retryMin.isZero() || retryMax.compareTo(retryMin) < 0) {
            throw new IllegalArgumentException("retries need 0 < retryMin <= retryMax");
        }
        // HikariCP refuses connection timeouts under 250 ms.
        if (connectTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectTimeout must be at least 250 ms");
        }
    }
}
