package dev.tollgate.server.pipeline;

import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.server.exchange.ExchangeServices;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/** Builds the proxy pipeline of each accepted connection (pictured in {@link Handlers}). */
public final class ProxyInitializer extends ChannelInitializer<Channel> {
    private final ExchangeServices services;
    private final ServerSettings settings;

    public ProxyInitializer(ExchangeServices services, ServerSettings settings) {
        this.services = services;
        this.settings = settings;
    }

    @Override
    protected void initChannel(Channel ch) {
        var decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxUriBytes())
                .setMaxHeaderSize(settings.maxHeaderBytes());
        ch.pipeline()
                .addLast(Handlers.CODEC, new HttpServerCodec(decoder))
                .addLast(Handlers.AGGREGATOR, new BoundedAggregator(
                        (int) Math.min(Integer.MAX_VALUE, settings.maxRequestBytes())))
                .addLast(Handlers.DISPATCHER, new ProxyDispatcher(services));
    }
}
