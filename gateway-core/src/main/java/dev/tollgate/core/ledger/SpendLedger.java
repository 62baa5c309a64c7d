package dev.tollgate.core.ledger;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The spend ledger: one row per request, never lost, never counted twice. Implementations: SQLite (embedded, the
 * default) and PostgreSQL (shared by replicas).
 *
 * <p>{@link #record} is called on event loops and never blocks: rows are queued and written in batches on the
 * ledger's own thread. While the database is down, rows go to a bounded spill file on disk and are replayed, in
 * order, when it is back; a row written twice (a replay after a partial commit) is ignored on its request id.
 * {@link #close} writes everything queued (or spills it) before it returns.
 */
public interface SpendLedger extends AutoCloseable {

    void record(SpendRow row);

    /** Sums rows; runs on the ledger's reader threads. Rows still queued or spilled are not included yet. */
    CompletionStage<List<ReportRow>> report(ReportQuery query);

    /**
     * Sums the rows of experiment {@code experiment} per arm, with the feedback their requests got; runs on the
     * ledger's reader threads. Arms without a row are absent. Rows still queued or spilled are not included yet.
     *
     * @param since only requests at or after this instant
     */
    CompletionStage<List<ArmTotals>> experiment(String experiment, Instant since);

    /** Blocks until every row recorded before the call is in the database or in the spill file. */
    void flush();

    @Override
    void close();
}
