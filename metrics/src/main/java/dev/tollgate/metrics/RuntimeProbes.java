package dev.tollgate.metrics;

import static java.util.Objects.requireNonNull;

import java.util.function.LongSupplier;

/**
 * Readings of the server's parts that this module cannot see (it knows no Netty and no ledger), as plain suppliers
 * the scrape calls on its own thread. Each must be cheap, non-blocking and safe from any thread.
 *
 * @param ledgerQueueRows spend-ledger rows waiting to be written (0 without a ledger)
 * @param allocatorHeapBytes heap memory the buffer allocator holds
 * @param allocatorDirectBytes direct (off-heap) memory the buffer allocator holds
 * @param eventLoopPendingTasks tasks queued on the event loops, summed over the loops
 * @param spansExported trace spans the collector took, since start
 * @param spansFailed trace spans lost to failed exports, since start
 * @param spansDropped trace spans dropped because the export queue was full, since start
 */
public record RuntimeProbes(LongSupplier ledgerQueueRows, LongSupplier allocatorHeapBytes,
                            LongSupplier allocatorDirectBytes, LongSupplier eventLoopPendingTasks,
                            LongSupplier spansExported, LongSupplier spansFailed, LongSupplier spansDropped) {
    public RuntimeProbes {
        requireNonNull(ledgerQueueRows, "ledgerQueueRows");
        requireNonNull(allocatorHeapBytes, "allocatorHeapBytes");
        requireNonNull(allocatorDirectBytes, "allocatorDirectBytes");
        requireNonNull(eventLoopPendingTasks, "eventLoopPendingTasks");
        requireNonNull(spansExported, "spansExported");
        requireNonNull(spansFailed, "spansFailed");
        requireNonNull(spansDropped, "spansDropped");
    }
}
