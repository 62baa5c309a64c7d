package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.ledger.SpendRow;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ledger's one writer thread. It drains a bounded queue into database batches (one transaction each); when
 * the database fails, the batch goes to the spill file and so does every row after it, in order, until a retry
 * (backing off from {@link LedgerTuning#retryMin} to {@link LedgerTuning#retryMax}) finds the database again and
 * the file has been replayed into it chunk by chunk.
 *
 * <p>{@link #record} never blocks and never throws: on a full queue the row is lost, counted and logged (at most
 * every ten seconds, by the writer, so that an event loop never waits on a log handler). {@link #flush} and
 * {@link #close} block. Thread-safe.
 */
final class SpendWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SpendWriter.class.getName());
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long LOSS_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * How long one pass of the writer may replay a backlog before it takes new rows again: long enough to drain
     * faster than rows arrive (a chunk is one transaction), short enough that the queue does not fill meanwhile.
     */
    private static final long REPLAY_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long a batch waits for more rows before it is written (see {@link #gather}). */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How often a lingering batch takes what has arrived (see {@link #gather}). */
    private static final long LINGER_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /** What the queue carries: rows, and the markers that flush and close put behind them. */
    private sealed interface Item {}

    private record Row(SpendRow row) implements Item {}

    /** @param replay also replay the whole spilled backlog first, while the database takes it */
    private record Flush(CountDownLatch done, boolean replay) implements Item {}

    private record Stop() implements Item {}

    private final LedgerDatabase database;
    private final SpillFile spill;
    private final LedgerListener listener;
    private final int batchSize;
    private final long retryMinNanos;
    private final long retryMaxNanos;
    private final BlockingQueue<Item> queue;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong unloggedLosses = new AtomicLong();
    private volatile String lastLossReason = "";
    private final Thread thread;

    // Touched by the writer thread only.
    private boolean down;
    private long backoffNanos;
    private long retryAtNanos = System.nanoTime();
    private long lossesLoggedAtNanos = System.nanoTime();

    SpendWriter(LedgerDatabase database, SpillFile spill, LedgerListener listener, LedgerTuning tuning) {
        this.database = requireNonNull(database, "database");
        this.spill = requireNonNull(spill, "spill");
        this.listener = requireNonNull(listener, "listener");
        this.batchSize = tuning.batchSize();
        this.retryMinNanos = tuning.retryMin().toNanos();
        this.retryMaxNanos = tuning.retryMax().toNanos();
        this.queue = new ArrayBlockingQueue<>(tuning.queueCapacity());
        this.thread = Thread.ofPlatform().daemon().name("tollgate-ledger-writer").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    void record(SpendRow row) {
        if (closed.get()) {
            lose(1, "recorded after close");
        } else if (!queue.offer(new Row(row))) {
            lose(1, "the in-memory queue was full");
        }
    }

    /** Items waiting in the queue (rows, and the rare flush marker); any thread. */
    int queued() {
        return queue.size();
    }

    /** Blocks until every row recorded before the call is in the database, in the spill file, or counted lost. */
    void flush() {
        await(new Flush(new CountDownLatch(1), false));
    }

    /**
     * Blocks until the spilled backlog (an earlier run's, or an outage's) is in the database, or the database
     * fails meanwhile: what must happen before budgets are rebuilt from the database's sums.
     */
    void catchUp() {
        await(new Flush(new CountDownLatch(1), true));
    }

    private void await(Flush flush) {
        try {
            // put, not offer: waiting for room is what a flush is for, and the writer frees room without waiting
            // on anything but the disk or the database (whose calls time out).
            queue.put(flush);
            LockSupport.unpark(thread); // ends a lingering batch at once: see gather
            while (!flush.done().await(1, TimeUnit.SECONDS)) {
                if (!thread.isAlive()) {
                    return; // closed meanwhile: close has written or spilled everything
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes or spills everything queued, then stops the thread. Later rows are counted as lost. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(new Stop());
                LockSupport.unpark(thread);
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // finish closing: rows would be lost otherwise
            }
        }
        // A record that passed the closed check just before close can land after the writer's last drain.
        List<Item> late = new ArrayList<>();
        queue.drainTo(late);
        int rows = (int) late.stream().filter(Row.class::isInstance).count();
        if (rows > 0) {
            lose(rows, "recorded after close");
        }
        logLosses();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Item> items = new ArrayList<>(batchSize);
        boolean stopping = false;
        while (!stopping) {
            items.clear();
            try {
                Item first = queue.poll(waitNanos(), TimeUnit.NANOSECONDS);
                if (first != null) {
                    items.add(first);
                    gather(items);
                }
            } catch (InterruptedException e) {
                stopping = true; // nobody else interrupts this thread; treat it as a stop
            }
            stopping |= handle(items);
            if (!stopping) {
                replayIfDue();
            }
            if (System.nanoTime() - lossesLoggedAtNanos >= LOSS_LOG_INTERVAL_NANOS) {
                logLosses();
            }
        }
        items.clear();
        queue.drainTo(items);
        handle(items);
    }

    /**
     * Fills a batch behind its first item: what is queued, then what arrives within {@link #LINGER_NANOS}, up to a
     * full batch. Under a steady trickle a commit would otherwise follow every few rows, and each commit costs a
     * sync to disk and a transaction: waiting a moment turns hundreds of commits a second into a few dozen. A flush
     * or stop marker ends the wait, since someone is waiting on it (its sender unparks the writer).
     *
     * <p>The writer naps in steps of {@link #LINGER_STEP_NANOS} instead of waiting on the queue: a thread waiting on
     * the queue is woken by every row offered, which costs the recording event loop a system call and the writer a
     * context switch per row (see bench/README.md), while a nap costs a timer per step. A full batch is still
     * written within one step of filling.
     */
    private void gather(List<Item> items) throws InterruptedException {
        queue.drainTo(items, batchSize - items.size());
        long until = System.nanoTime() + LINGER_NANOS;
        while (items.size() < batchSize && !(items.getLast() instanceof Flush || items.getLast() instanceof Stop)) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(this, Math.min(left, LINGER_STEP_NANOS));
            if (Thread.interrupted()) {
                throw new InterruptedException(); // as a wait on the queue would: run treats it as a stop
            }
            queue.drainTo(items, batchSize - items.size());
        }
    }

    /** The writer waits for rows, but not past the moment a spilled backlog may be retried. */
    private long waitNanos() {
        if (!spill.pending()) {
            return IDLE_POLL_NANOS;
        }
        return Math.max(0, Math.min(IDLE_POLL_NANOS, retryAtNanos - System.nanoTime()));
    }

    /** Persists the rows among {@code items}, then releases the flushes; true when a stop was among them. */
    private boolean handle(List<Item> items) {
        List<SpendRow> rows = new ArrayList<>(items.size());
        List<CountDownLatch> flushes = new ArrayList<>();
        boolean stop = false;
        for (Item item : items) {
            switch (item) {
                case Row row -> rows.add(row.row());
                case Flush flush -> flushes.add(flush.done());
                case Stop ignored -> stop = true;
            }
        }
        if (!rows.isEmpty()) {
            persist(rows);
        }
        for (Item item : items) {
            if (item instanceof Flush flush && flush.replay()) {
                retryAtNanos = System.nanoTime(); // now, not after a backoff: the caller is waiting on it
                while (spill.pending() && replayChunk()) {
                    // until the backlog is gone or the database fails
                }
            }
        }
        flushes.forEach(CountDownLatch::countDown);
        return stop;
    }

    private void persist(List<SpendRow> rows) {
        // Behind a backlog, rows queue up in the file so that they reach the database in the order recorded.
        if (spill.pending() || (down && System.nanoTime() - retryAtNanos < 0)) {
            spill(rows);
            return;
        }
        try {
            listener.written(insert(rows));
            up();
        } catch (SQLException | RuntimeException e) {
            failed(e);
            spill(rows);
        }
    }

    private void replayIfDue() {
        long until = System.nanoTime() + REPLAY_SLICE_NANOS;
        while (spill.pending() && System.nanoTime() - retryAtNanos >= 0 && System.nanoTime() - until < 0) {
            if (!replayChunk()) {
                return;
            }
        }
    }

    /** Moves one chunk of the backlog into the database; false when that failed (retried after a backoff). */
    private boolean replayChunk() {
        try {
            SpillFile.Chunk chunk = spill.next(batchSize);
            int written = chunk.rows().isEmpty() ? 0 : insert(chunk.rows());
            spill.consumed(chunk);
            listener.replayed(written);
            if (chunk.damaged() > 0) {
                lose(chunk.damaged(), "damaged lines in the spill file " + spill.path());
            }
            up();
            return true;
        } catch (SQLException | RuntimeException e) {
            failed(e);
        } catch (IOException e) {
            // The file cannot be read or emptied: try again later rather than spin on it.
            LOG.log(Level.SEVERE, "ledger: cannot replay the spill file " + spill.path(), e);
            retryAtNanos = System.nanoTime() + retryMaxNanos;
        }
        return false;
    }

    /**
     * Inserts rows in one transaction. When the database refuses the batch for its content (never an outage),
     * the rows go one by one and only the refused ones are dropped: one bad row must not hold back every row
     * after it, spilled and retried forever.
     *
     * @return how many rows the database took
     */
    private int insert(List<SpendRow> rows) throws SQLException {
        try (Connection connection = database.connection()) {
            try {
                SpendTable.insert(connection, rows);
                return rows.size();
            } catch (SQLException e) {
                if (!database.dialect().isDataError(e)) {
                    throw e;
                }
                return insertEach(connection, rows);
            }
        }
    }

    private int insertEach(Connection connection, List<SpendRow> rows) throws SQLException {
        int taken = 0;
        for (SpendRow row : rows) {
            try {
                SpendTable.insert(connection, List.of(row));
                taken++;
            } catch (SQLException e) {
                if (!database.dialect().isDataError(e)) {
                    throw e;
                }
                LOG.warning("ledger: the database refused spend row " + row.requestId() + ": " + reason(e));
                lose(1, "the database refused a row");
            }
        }
        return taken;
    }

    private void spill(List<SpendRow> rows) {
        try {
            int spilled = spill.append(rows);
            if (spilled > 0) {
                listener.spilled(spilled);
            }
            if (spilled < rows.size()) {
                lose(rows.size() - spilled, "the spill file " + spill.path() + " is full");
            }
        } catch (IOException e) {
            lose(rows.size(), "the spill file " + spill.path() + " failed: " + e.getMessage());
        }
    }

    private void failed(Exception e) {
        listener.databaseError();
        if (down) {
            backoffNanos = Math.min(backoffNanos * 2, retryMaxNanos);
        } else {
            down = true;
            backoffNanos = retryMinNanos;
            listener.databaseDown(true);
            // The database's own message names the problem; the target is shown by host and database only.
            LOG.warning("ledger: database " + database + " failed, spilling rows to " + spill.path() + ": "
                    + reason(e));
        }
        retryAtNanos = System.nanoTime() + backoffNanos;
    }

    private void up() {
        if (down) {
            down = false;
            listener.databaseDown(false);
            LOG.info("ledger: database " + database + " is back");
        }
    }

    /**
     * The first line of the error that says what went wrong. A failed batch's own message repeats the statement
     * with every value in it (end-user names among them), which has no place in a log.
     */
    private static String reason(Exception e) {
        Exception cause = e instanceof SQLException sql && sql.getNextException() != null ? sql.getNextException() : e;
        String message = String.valueOf(cause.getMessage());
        int newline = message.indexOf('\n');
        String state = cause instanceof SQLException sql && sql.getSQLState() != null
                ? " (SQLSTATE " + sql.getSQLState() + ")" : "";
        return (newline < 0 ? message : message.substring(0, newline)) + state;
    }

    private void lose(int rows, String reason) {
        listener.lost(rows);
        lastLossReason = reason;
        unloggedLosses.addAndGet(rows);
    }

    private void logLosses() {
        lossesLoggedAtNanos = System.nanoTime();
        long lost = unloggedLosses.getAndSet(0);
        if (lost > 0) {
            LOG.severe("ledger: " + lost + " spend rows lost (last cause: " + lastLossReason + ")");
        }
    }
}
