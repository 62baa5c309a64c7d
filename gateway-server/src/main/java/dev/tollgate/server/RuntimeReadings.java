package dev.tollgate.server;

import dev.tollgate.metrics.RuntimeProbes;
import dev.tollgate.server.store.JdbcLedger;
import dev.tollgate.server.trace.OtlpExporter;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;

/**
 * The server's parts the metrics read at each scrape: the ledger's queue, the buffer allocator's memory, the
 * event loops' queued tasks and the trace exporter's counts. They reach the metrics module as plain suppliers ({@link RuntimeProbes}), so that
 * module stays free of Netty and this one free of Micrometer; Micrometer's own Netty binders would have needed both
 * here, and would have exported their names rather than those of the metric contract.
 */
final class RuntimeReadings {
    private RuntimeReadings() {}

    /**
     * @param ledger null when the ledger is off (its queue then reads 0)
     * @param workers the loops that run client and upstream connections
     */
    static RuntimeProbes of(JdbcLedger ledger, EventLoopGroup workers, OtlpExporter spans) {
        // Every channel uses the default allocator (none sets ChannelOption.ALLOCATOR); the pooled, adaptive and
        // unpooled ones all keep these counts.
        ByteBufAllocatorMetric allocator = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric() : null;
        return new RuntimeProbes(
                ledger == null ? () -> 0 : ledger::queued,
                allocator == null ? () -> 0 : allocator::usedHeapMemory,
                allocator == null ? () -> 0 : allocator::usedDirectMemory,
                () -> pendingTasks(workers),
                () -> spans.counts().exported(), () -> spans.counts().failed(), () -> spans.counts().dropped());
    }

    /** Tasks queued on every loop of {@code group}: a loop that falls behind shows here before in latency. */
    private static long pendingTasks(EventLoopGroup group) {
        long sum = 0;
        for (EventExecutor loop : group) {
            if (loop instanceof SingleThreadEventExecutor single) {
                sum += single.pendingTasks();
            }
        }
        return sum;
    }
}
