package dev.tollgate.server.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy's client connections and the exchanges running on them, for a graceful stop: once {@link #begin()} is
 * called every connection closes as soon as it is idle (the response in flight goes out with
 * {@code Connection: close}), and {@link #awaitIdle} waits for the running exchanges, streams included, to end.
 */
public final class Drain {
    /** Fired on each connection's pipeline when draining begins. */
    static final Object BEGIN = new Object() {
        @Override
        public String toString() {
            return "Drain.BEGIN";
        }
    };
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ChannelGroup connections = new DefaultChannelGroup("proxy-clients", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean draining;

    void accepted(Channel channel) {
        connections.add(channel); // the group forgets a channel when it closes
        if (draining) {
            channel.pipeline().fireUserEventTriggered(BEGIN);
        }
    }

    void exchangeStarted() {
        running.incrementAndGet();
    }

    void exchangeEnded() {
        running.decrementAndGet();
    }

    /** Whether the gateway is stopping: a response written now closes its connection. */
    boolean draining() {
        return draining;
    }

    /** Exchanges running now. */
    public int running() {
        return running.get();
    }

    /** Closes idle connections now and every other one after its current response. */
    public void begin() {
        draining = true;
        for (Channel channel : connections) {
            channel.pipeline().fireUserEventTriggered(BEGIN);
        }
    }

    /** Waits until no exchange runs and no request is half-read, at most {@code grace}; whether that came. */
    public boolean awaitIdle(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (running.get() > 0 || receiving()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            // Polling keeps the request path free of any wake-up bookkeeping; a stop happens once per process.
            TimeUnit.NANOSECONDS.sleep(Math.min(left, POLL_NANOS));
        }
        return true;
    }

    /** Whether a connection is part-way through reading a request, which it will answer before closing. */
    private boolean receiving() {
        for (Channel channel : connections) {
            if (channel.pipeline().get(Handlers.AGGREGATOR) instanceof BoundedAggregator a && a.receiving()) {
                return true;
            }
        }
        return false;
    }

    /** Closes every connection still open: the exchanges past the grace period end as cancelled. */
    public void closeAll() {
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
