package dev.tollgate.server.store;

/**
 * What the spend ledger reports for metrics. {@link #lost} may be called on any thread (an event loop whose
 * {@code record} found the queue full); every other method is called on the ledger's writer thread. Calls must
 * return quickly and must not throw: a counter increment, a gauge update.
 */
public interface LedgerListener {

    /** Ignores everything. */
    LedgerListener NONE = new LedgerListener() {};

    /** Rows committed to the database by the writer (a row already there counts too: it was skipped safely). */
    default void written(int rows) {}

    /** Rows appended to the spill file because the database did not take them. */
    default void spilled(int rows) {}

    /** Rows moved from the spill file into the database. */
    default void replayed(int rows) {}

    /** Rows dropped: the queue or the spill file was full, the spill file failed, or the database refused them. */
    default void lost(int rows) {}

    /** A failed database call: a connection that could not be made, a batch that did not commit. */
    default void databaseError() {}

    /** The database went down (rows now go to the spill file) or came back. */
    default void databaseDown(boolean down) {}
}
