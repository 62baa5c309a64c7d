package dev.tollgate.server.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The open connections of one listener, bounded: a connection past the limit is closed as soon as it is accepted,
 * before any handler or buffer is set up for it. Refusals are logged at most once a second, with their count, so a
 * flood cannot flood the log too.
 */
final class ConnectionCap implements ChannelFutureListener {
    private static final Logger LOG = Logger.getLogger(ConnectionCap.class.getName());
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String listener;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refusedSinceWarning = new AtomicLong();
    private final AtomicLong nextWarning = new AtomicLong(System.nanoTime());

    /** @param listener the listener's name in the log line ("proxy", "admin") */
    ConnectionCap(String listener) {
        this.listener = listener;
    }

    /**
     * Counts {@code channel} until it closes, or closes it now when {@code max} are already open; whether it was
     * admitted.
     */
    boolean admit(Channel channel, int max) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            channel.close();
            refused(max);
            return false;
        }
        channel.closeFuture().addListener(this);
        return true;
    }

    @Override
    public void operationComplete(ChannelFuture closed) {
        open.decrementAndGet();
    }

    private void refused(int max) {
        refusedSinceWarning.incrementAndGet();
        long now = System.nanoTime();
        long due = nextWarning.get();
        if (now - due >= 0 && nextWarning.compareAndSet(due, now + WARN_EVERY_NANOS)) {
            long refused = refusedSinceWarning.getAndSet(0);
            LOG.warning(() -> "refused " + refused + " connection(s) on the " + listener + " port: "
                    + max + " already open (server.max_connections)");
        }
    }
}
