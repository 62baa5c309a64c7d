package dev.tollgate.server.pipeline;

import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.server.exchange.ExchangeServices;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds the proxy pipeline of each accepted connection (pictured in {@link Handlers}), with the edge limits of the
 * config in force when the connection was accepted: a reload changes them for the connections that follow.
 */
public final class ProxyInitializer extends ChannelInitializer<Channel> {
    private final ExchangeServices services;
    private final Drain drain;
    private final ConnectionCap connections = new ConnectionCap("proxy");

    public ProxyInitializer(ExchangeServices services, Drain drain) {
        this.services = services;
        this.drain = drain;
    }

    @Override
    protected void initChannel(Channel ch) {
        ServerSettings settings = services.snapshot().get().server();
        if (!connections.admit(ch, settings.maxConnections())) {
            return;
        }
        var edge = new RequestEdge(settings, true);
        ch.pipeline()
                .addLast(Handlers.ARRIVAL, edge.arrival())
                .addLast(Handlers.CODEC, new HttpServerCodec(RequestEdge.decoderConfig(settings)))
                .addLast(Handlers.EDGE, edge)
                .addLast(Handlers.AGGREGATOR, new BoundedAggregator(
                        (int) Math.min(Integer.MAX_VALUE, settings.maxRequestBytes())))
                .addLast(Handlers.DISPATCHER, new ProxyDispatcher(services, drain));
        drain.accepted(ch);
    }
}
