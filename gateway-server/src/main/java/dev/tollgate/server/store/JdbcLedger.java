package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.eval.EvaluationStore;
import dev.tollgate.core.ledger.ArmTotals;
import dev.tollgate.core.ledger.KeyStore;
import dev.tollgate.core.ledger.ReportQuery;
import dev.tollgate.core.ledger.ReportRow;
import dev.tollgate.core.ledger.SpendLedger;
import dev.tollgate.core.ledger.SpendRow;
import dev.tollgate.core.quality.QualityStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The spend ledger and the runtime key store over JDBC: an embedded SQLite file or a shared PostgreSQL database,
 * one schema for both. Rows go through a bounded queue to one writer thread ({@link SpendWriter}), which batches
 * them into transactions and, while the database is down, into a spill file that is replayed when it returns.
 *
 * <p>{@link #record} never blocks or throws, on any thread. {@link #report}, {@link #experiment}, the
 * {@link #keys() key store} and the reads of the {@link #quality() quality} and {@link #evaluations() evaluation}
 * stores run on two reader threads of the ledger's own. {@link #flush} and {@link #close} block. Thread-safe.
 */
public final class JdbcLedger implements SpendLedger {
    private final LedgerDatabase database;
    private final SpillFile spill;
    private final SpendWriter writer;
    private final JdbcKeyStore keys;
    private final JdbcQualityStore quality;
    private final JdbcEvaluationStore evaluations;
    private final AtomicBoolean closed = new AtomicBoolean();

    private JdbcLedger(LedgerDatabase database, SpillFile spill, LedgerListener listener, LedgerTuning tuning) {
        this.database = database;
        this.spill = spill;
        this.writer = new SpendWriter(database, spill, listener, tuning);
        this.keys = new JdbcKeyStore(database);
        this.quality = new JdbcQualityStore(database);
        this.evaluations = new JdbcEvaluationStore(database);
    }

    /** {@link #open(String, Path, long, LedgerListener, LedgerTuning)} with {@link LedgerTuning#DEFAULTS}. */
    public static JdbcLedger open(String target, Path spillDir, long spillMaxBytes, LedgerListener listener) {
        return open(target, spillDir, spillMaxBytes, listener, LedgerTuning.DEFAULTS);
    }

    /**
     * Connects, creates or migrates the schema, and starts the writer, which first replays whatever an earlier
     * run left in the spill file. Blocks for up to about {@link LedgerTuning#connectTimeout} when the database
     * does not answer.
     *
     * @param target {@code sqlite:<path>} or {@code postgresql://host:port/db?user=..&password=..} (see
     *     {@link LedgerTarget#parse}); may hold a password, which no message repeats
     * @param spillDir where {@code ledger-spill.jsonl} lives; created when missing
     * @param spillMaxBytes the spill file's cap; rows beyond it are lost, counted and logged
     * @throws IllegalArgumentException when the target does not parse
     * @throws IllegalStateException when the database cannot be reached or prepared, or the spill file cannot be
     *     opened (another process holds it)
     */
    public static JdbcLedger open(String target, Path spillDir, long spillMaxBytes, LedgerListener listener,
                                  LedgerTuning tuning) {
        LedgerTarget parsed = LedgerTarget.parse(target);
        requireNonNull(spillDir, "spillDir");
        requireNonNull(listener, "listener");
        requireNonNull(tuning, "tuning");
        if (spillMaxBytes < 0) {
            throw new IllegalArgumentException("spillMaxBytes cannot be negative");
        }
        SpillFile spill;
        try {
            spill = SpillFile.open(spillDir, spillMaxBytes);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the ledger's spill file in " + spillDir + ": " + e.getMessage(), e);
        }
        LedgerDatabase database;
        try {
            database = LedgerDatabase.open(parsed, tuning.connectTimeout());
        } catch (RuntimeException e) {
            closeQuietly(spill, e);
            throw e;
        }
        JdbcLedger ledger = new JdbcLedger(database, spill, listener, tuning);
        ledger.writer.start();
        return ledger;
    }

    private static void closeQuietly(SpillFile spill, RuntimeException failure) {
        try {
            spill.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** The runtime keys, in the same database. Usable until {@link #close}. */
    public KeyStore keys() {
        return keys;
    }

    /** Rows queued for the writer and not yet taken: the backlog a slow database leaves. */
    public int queued() {
        return writer.queued();
    }

    /** Feedback and review samples, in the same database. Usable until {@link #close}. */
    public QualityStore quality() {
        return quality;
    }

    /** Evaluation results, in the same database. Usable until {@link #close}. */
    public EvaluationStore evaluations() {
        return evaluations;
    }

    /** Queues a row for the writer; a null row is ignored. */
    @Override
    public void record(SpendRow row) {
        if (row != null) {
            writer.record(row);
        }
    }

    @Override
    public CompletionStage<List<ReportRow>> report(ReportQuery query) {
        requireNonNull(query, "query");
        return database.onReaders(connection -> SpendTable.report(connection, query));
    }

    @Override
    public CompletionStage<List<ArmTotals>> experiment(String experiment, Instant since) {
        requireNonNull(experiment, "experiment");
        requireNonNull(since, "since");
        return database.onReaders(connection -> SpendTable.experiment(connection, experiment, since));
    }

    @Override
    public void flush() {
        writer.flush();
    }

    /**
     * Blocks until rows spilled by an earlier run (or an outage) are in the database, or the database fails
     * meanwhile. Startup calls it before rebuilding budgets from the database, so no spilled charge is missed.
     */
    public void catchUp() {
        writer.catchUp();
    }

    /**
     * Writes or spills every queued row, stops the writer, then closes the spill file and the connections. Later
     * calls do nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writer.close();
        try {
            spill.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the ledger's spill file " + spill.path(), e);
        } finally {
            database.close();
        }
    }

    @Override
    public String toString() {
        return "JdbcLedger[" + database + "]";
    }
}
