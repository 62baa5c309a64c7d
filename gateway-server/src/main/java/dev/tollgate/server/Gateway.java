package dev.tollgate.server;

import dev.tollgate.core.runtime.HostPort;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.metrics.Exposition;
import dev.tollgate.server.admin.AdminApi;
import dev.tollgate.server.admin.AdminHandler;
import dev.tollgate.server.exchange.ExchangeServices;
import dev.tollgate.server.pipeline.AdminInitializer;
import dev.tollgate.server.pipeline.Drain;
import dev.tollgate.server.pipeline.ProxyInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The two listeners and their event loops: the proxy port and the admin port. The upstream connections of a
 * request run on the same loops as the client connection that made it.
 *
 * <p>A graceful stop goes {@link #notReady()}, {@link #stopAccepting()}, {@link #awaitIdle}, {@link #close()}: the
 * admin port (probes, metrics) answers until the very end.
 */
public final class Gateway implements AutoCloseable {
    /** Client socket buffer bounds: past the high mark the relay stops reading from the upstream. */
    private static final WriteBufferWaterMark CLIENT_WATERMARKS = new WriteBufferWaterMark(32 << 10, 64 << 10);

    private final EventLoopGroup acceptors;
    private final Channel proxy;
    private final Channel admin;
    private final AtomicBoolean ready;
    private final Drain drain;

    private Gateway(EventLoopGroup acceptors, Channel proxy, Channel admin, AtomicBoolean ready, Drain drain) {
        this.acceptors = acceptors;
        this.proxy = proxy;
        this.admin = admin;
        this.ready = ready;
        this.drain = drain;
    }

    /**
     * Binds both ports and starts serving. {@code workers} runs client and upstream connections alike (the
     * caller built the {@link ExchangeServices} upstream client for the same transport).
     */
    public static Gateway start(Transport transport, EventLoopGroup workers, ServerSettings settings,
                                ExchangeServices services, Function<String, Exposition> metrics, AdminApi adminApi)
            throws InterruptedException {
        EventLoopGroup acceptors = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        var ready = new AtomicBoolean();
        var drain = new Drain();
        try {
            Channel proxy = bind(transport, acceptors, workers, settings.listen(), new ProxyInitializer(services, drain));
            var adminHandler = new AdminHandler(ready::get, metrics, adminApi);
            Channel admin = bind(transport, acceptors, workers, settings.adminListen(),
                    new AdminInitializer(() -> services.snapshot().get().server(), adminHandler));
            var gateway = new Gateway(acceptors, proxy, admin, ready, drain);
            ready.set(true);
            return gateway;
        } catch (InterruptedException | RuntimeException e) {
            acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static Channel bind(Transport transport, EventLoopGroup acceptors, EventLoopGroup workers, HostPort at,
                                ChannelHandler initializer) throws InterruptedException {
        return new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, CLIENT_WATERMARKS)
                .childHandler(initializer)
                .bind(at.host(), at.port())
                .sync()
                .channel();
    }

    public int proxyPort() {
        return ((InetSocketAddress) proxy.localAddress()).getPort();
    }

    public int adminPort() {
        return ((InetSocketAddress) admin.localAddress()).getPort();
    }

    /** {@code /readyz} answers 503 from now on; traffic is still served. */
    public void notReady() {
        ready.set(false);
    }

    /** Closes the proxy listener and asks every client connection to close once its current answer is out. */
    public void stopAccepting() {
        ready.set(false);
        proxy.close().syncUninterruptibly();
        drain.begin();
    }

    /** Waits, at most {@code grace}, for the running exchanges to end; the number still running after it. */
    public int awaitIdle(Duration grace) throws InterruptedException {
        drain.awaitIdle(grace);
        return drain.running();
    }

    /**
     * Stops at once: closes the listeners, every client connection still open and the acceptor loop; the caller
     * owns {@code workers}.
     */
    @Override
    public void close() {
        ready.set(false);
        proxy.close().syncUninterruptibly();
        drain.begin();
        drain.closeAll();
        admin.close().syncUninterruptibly();
        acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
