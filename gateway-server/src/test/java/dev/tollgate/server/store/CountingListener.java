package dev.tollgate.server.store;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Counts what a ledger reports, for assertions. */
final class CountingListener implements LedgerListener {
    final AtomicLong written = new AtomicLong();
    final AtomicLong spilled = new AtomicLong();
    final AtomicLong replayed = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicLong downs = new AtomicLong();

    @Override
    public void written(int rows) {
        written.addAndGet(rows);
    }

    @Override
    public void spilled(int rows) {
        spilled.addAndGet(rows);
    }

    @Override
    public void replayed(int rows) {
        replayed.addAndGet(rows);
    }

    @Override
    public void lost(int rows) {
        lost.addAndGet(rows);
    }

    @Override
    public void databaseError() {
        errors.incrementAndGet();
    }

    @Override
    public void databaseDown(boolean isDown) {
        down.set(isDown);
        if (isDown) {
            downs.incrementAndGet();
        }
    }
}
