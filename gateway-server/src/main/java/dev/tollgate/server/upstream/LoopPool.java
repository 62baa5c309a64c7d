package dev.tollgate.server.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The connections to one origin owned by one event loop. Everything here runs on that loop, so it needs no
 * locks; an exchange on the same loop gets a connection without a thread hop. Bounded: at most
 * {@code maxConnections} open and {@code maxWaiters} queued acquisitions, each waiting at most its timeout.
 */
final class LoopPool {
    private final EventLoop loop;
    private final Origin origin;
    private final Bootstrap bootstrap;
    private final int maxConnections;
    private final int maxWaiters;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int open;
    /** A reload removed this origin: connections close when returned instead of idling for reuse. */
    private boolean retired;

    private record Waiter(Promise<UpstreamLease> promise, UpstreamListener listener, Duration connectTimeout,
                          ScheduledFuture<?> expiry) {}

    LoopPool(EventLoop loop, Origin origin, Bootstrap bootstrap, int maxConnections, int maxWaiters) {
        this.loop = loop;
        this.origin = origin;
        this.bootstrap = bootstrap;
        this.maxConnections = maxConnections;
        this.maxWaiters = maxWaiters;
    }

    Future<UpstreamLease> acquire(UpstreamListener listener, Duration connectTimeout) {
        Channel ch;
        while ((ch = idle.pollLast()) != null) {
            if (ch.isActive()) {
                return loop.newSucceededFuture(lease(ch, listener, true));
            }
        }
        Promise<UpstreamLease> promise = loop.newPromise();
        if (open < maxConnections) {
            connect(promise, listener, connectTimeout);
        } else if (waiters.size() < maxWaiters) {
            ScheduledFuture<?> expiry = loop.schedule(() -> {
                // A waiter that gave up leaves the queue at once: it must not count against maxWaiters.
                waiters.removeIf(w -> w.promise == promise);
                promise.tryFailure(new PoolExhaustedException(origin, true));
            }, connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
            waiters.addLast(new Waiter(promise, listener, connectTimeout, expiry));
        } else {
            promise.setFailure(new PoolExhaustedException(origin, false));
        }
        return promise;
    }

    void release(Channel ch, UpstreamHandler handler) {
        boolean reusable = handler.reusable() && ch.isActive();
        handler.detach();
        if (reusable) {
            offer(ch);
        } else {
            ch.close();
        }
    }

    /** A connection leased but never used (its exchange ended first): as good as before, so it serves again. */
    void returnUnused(Channel ch, UpstreamHandler handler) {
        handler.detach();
        if (ch.isActive()) {
            offer(ch);
        } else {
            ch.close();
        }
    }

    private void offer(Channel ch) {
        Waiter w;
        while ((w = waiters.pollFirst()) != null) {
            w.expiry.cancel(false);
            // A waiter that gave up (timed out) must not be attached: the connection would idle bound to it.
            if (!w.promise.isDone() && w.promise.trySuccess(lease(ch, w.listener, true))) {
                return;
            }
        }
        if (retired) {
            ch.close();
            return;
        }
        idle.addLast(ch);
        // AUTO_READ is off: one pending read lets an idle connection notice the server closing it.
        ch.read();
    }

    /**
     * Stops keeping connections: the idle ones close now, the leased ones when their exchanges return them, so
     * requests still running on the old config finish undisturbed. Runs on this pool's loop.
     */
    void retire() {
        retired = true;
        Channel ch;
        while ((ch = idle.pollFirst()) != null) {
            ch.close();
        }
    }

    /** A connection closed: it no longer counts, and a waiter may now open one. */
    void forget(Channel ch) {
        idle.remove(ch);
        open--;
        Waiter w;
        while ((w = waiters.pollFirst()) != null) {
            w.expiry.cancel(false);
            if (!w.promise.isDone()) {
                connect(w.promise, w.listener, w.connectTimeout);
                return;
            }
        }
    }

    private void connect(Promise<UpstreamLease> promise, UpstreamListener listener, Duration timeout) {
        open++;
        ChannelFuture cf = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .connect(InetSocketAddress.createUnresolved(origin.host(), origin.port()));
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                open--; // never active, so no channelInactive will count it down
                promise.tryFailure(f.cause());
                return;
            }
            Channel ch = cf.channel();
            SslHandler tls = ch.pipeline().get(SslHandler.class);
            if (tls == null) {
                handOver(promise, ch, listener);
                return;
            }
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    handOver(promise, ch, listener);
                } else {
                    promise.tryFailure(h.cause());
                    ch.close();
                }
            });
        });
    }

    private void handOver(Promise<UpstreamLease> promise, Channel ch, UpstreamListener listener) {
        if (!promise.trySuccess(lease(ch, listener, false))) {
            ch.close(); // the acquirer gave up meanwhile
        }
    }

    private UpstreamLease lease(Channel ch, UpstreamListener listener, boolean reused) {
        UpstreamHandler handler = ch.pipeline().get(UpstreamHandler.class);
        handler.attach(listener);
        return new UpstreamLease(ch, handler, this, reused);
    }
}
