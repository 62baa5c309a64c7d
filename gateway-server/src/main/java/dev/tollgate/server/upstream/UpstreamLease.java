package dev.tollgate.server.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpRequest;

/**
 * One exchange's hold on one upstream connection. Ends with exactly one of {@link #release()} (the response was
 * read to its end: the connection may serve another request), {@link #returnUnused()} (nothing was sent) or
 * {@link #discard()} (anything else: closed, never pooled half-read). All are idempotent. Event-loop thread only.
 */
public final class UpstreamLease {
    private final Channel channel;
    private final UpstreamHandler handler;
    private final LoopPool pool;
    private final boolean reused;
    private boolean ended;

    UpstreamLease(Channel channel, UpstreamHandler handler, LoopPool pool, boolean reused) {
        this.channel = channel;
        this.handler = handler;
        this.pool = pool;
        this.reused = reused;
    }

    /** Writes and flushes the request; AUTO_READ is off, so the caller asks for the reply with {@link #read()}. */
    public ChannelFuture send(HttpRequest request) {
        return channel.writeAndFlush(request);
    }

    /** Asks for one more socket read. */
    public void read() {
        if (!ended) {
            channel.read();
        }
    }

    /** Whether this connection served an earlier request: a failure before any reply byte may be a stale close. */
    public boolean reused() {
        return reused;
    }

    public void release() {
        if (!ended) {
            ended = true;
            pool.release(channel, handler);
        }
    }

    /** The lease was never used (nothing sent): the connection goes back to the pool as it came. */
    public void returnUnused() {
        if (!ended) {
            ended = true;
            pool.returnUnused(channel, handler);
        }
    }

    public void discard() {
        if (!ended) {
            ended = true;
            handler.detach();
            channel.close();
        }
    }
}
