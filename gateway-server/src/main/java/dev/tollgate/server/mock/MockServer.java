package dev.tollgate.server.mock;

import dev.tollgate.core.runtime.HostPort;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.server.Transport;
import dev.tollgate.server.pipeline.Handlers;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;

/**
 * The built-in mock provider as an OpenAI-compatible HTTP server: behind a {@code type: mock} provider in the
 * gateway (on a loopback port of its own), and standalone as {@code tollgate mock} for benchmarks.
 */
public final class MockServer implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 64 << 20;

    private final Channel channel;
    private final MockHandler handler;

    private MockServer(Channel channel, MockHandler handler) {
        this.channel = channel;
        this.handler = handler;
    }

    /** Binds and starts serving; blocks only until the port is bound (startup, never an event loop). */
    public static MockServer start(EventLoopGroup group, Transport transport, HostPort listen, MockProfile profile)
            throws InterruptedException {
        var handler = new MockHandler(profile);
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(Handlers.CODEC, new HttpServerCodec())
                                .addLast(Handlers.AGGREGATOR, new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(Handlers.MOCK, handler);
                    }
                })
                .bind(listen.host(), listen.port())
                .sync()
                .channel();
        return new MockServer(channel, handler);
    }

    /**
     * Serves later requests with {@code profile}, on the same port: a reload that changes a mock's behaviour leaves
     * its address, and the connections pooled to it, as they were.
     */
    public void reconfigure(MockProfile profile) {
        handler.reconfigure(profile);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
