package dev.tollgate.server.upstream;

import dev.tollgate.server.Transport;
import dev.tollgate.server.pipeline.Handlers;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The upstream HTTP client: one {@link LoopPool} per (event loop, origin), created on first use. A request's
 * upstream connection lives on the client connection's own event loop, so relaying needs no locks or hops.
 * Names are resolved with Netty's asynchronous DNS resolver: the JDK's blocks the calling thread, which here
 * would be an event loop.
 */
public final class UpstreamPools implements AutoCloseable {
    /** Per loop and origin; generous, since each is an idle socket at most. */
    private static final int MAX_CONNECTIONS = 1024;
    private static final int MAX_WAITERS = 1024;
    private static final int MAX_RESPONSE_HEADER_BYTES = 64 << 10;

    private final Transport transport;
    private final SslContext tls;
    private final DnsAddressResolverGroup resolver;
    private final ConcurrentHashMap<Key, LoopPool> pools = new ConcurrentHashMap<>();

    private record Key(EventLoop loop, Origin origin) {}

    public UpstreamPools(Transport transport) {
        this.transport = transport;
        try {
            this.tls = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for upstream connections", e);
        }
        this.resolver = new DnsAddressResolverGroup(
                new DnsNameResolverBuilder().datagramChannelType(transport.datagramChannel()));
    }

    /**
     * A connection to {@code origin} on {@code loop} (the caller's loop), delivering to {@code listener}; {@code then}
     * gets the finished future: at once when the pool had a connection ready (no hop through the loop's queue),
     * else when it completes. It fails with a connect exception, a {@link PoolExhaustedException}, or a TLS
     * handshake error.
     */
    public void acquire(EventLoop loop, Origin origin, Duration connectTimeout, UpstreamListener listener,
                        Consumer<Future<UpstreamLease>> then) {
        var key = new Key(loop, origin);
        // A plain read first: computeIfAbsent locks the key's bin whenever the key is not the bin's first entry,
        // even when it is present, and every request of every loop comes through here.
        LoopPool pool = pools.get(key);
        if (pool == null) {
            pool = pools.computeIfAbsent(key, k -> newPool(k.loop(), k.origin()));
        }
        Future<UpstreamLease> acquired = pool.acquire(listener, connectTimeout);
        if (acquired.isDone()) {
            then.accept(acquired);
        } else {
            acquired.addListener(f -> then.accept(acquired));
        }
    }

    private LoopPool newPool(EventLoop loop, Origin origin) {
        var bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 << 10, 64 << 10));
        var pool = new LoopPool(loop, origin, bootstrap, MAX_CONNECTIONS, MAX_WAITERS);
        bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (origin.tls()) {
                    ch.pipeline().addLast(Handlers.TLS, tls.newHandler(ch.alloc(), origin.host(), origin.port()));
                }
                ch.pipeline().addLast(Handlers.CODEC, new HttpClientCodec(
                        new HttpDecoderConfig().setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES), false, false));
                ch.pipeline().addLast(Handlers.UPSTREAM, new UpstreamHandler(pool));
            }
        });
        return pool;
    }

    /**
     * Retires the pools of every origin outside {@code live}: a reload removed or moved their providers. A request
     * for such an origin that is still running keeps its connection; a later one would open a new pool.
     */
    public void retain(Set<Origin> live) {
        pools.entrySet().removeIf(entry -> {
            if (live.contains(entry.getKey().origin())) {
                return false;
            }
            entry.getKey().loop().execute(entry.getValue()::retire);
            return true;
        });
    }

    @Override
    public void close() {
        resolver.close();
    }
}
