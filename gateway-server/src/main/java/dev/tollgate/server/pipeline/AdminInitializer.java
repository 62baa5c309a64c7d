package dev.tollgate.server.pipeline;

import dev.tollgate.core.runtime.ServerSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Supplier;

/**
 * Builds the admin port's pipeline: the same edge as the proxy's (connection cap, framing rules, header limits,
 * read timeouts) with the admin's own body limit, no request body codings, and {@link AdminEdge} answering
 * refusals in the admin error shape before anything reaches {@code routes}.
 */
public final class AdminInitializer extends ChannelInitializer<Channel> {
    /** Admin bodies are config edits and small JSON documents. */
    private static final int MAX_REQUEST_BYTES = 1 << 20;

    private final Supplier<ServerSettings> settings;
    private final ChannelHandler routes;
    private final AdminEdge refusals = new AdminEdge();
    private final ConnectionCap connections = new ConnectionCap("admin");

    /** @param routes a sharable handler of whole, well-formed requests */
    public AdminInitializer(Supplier<ServerSettings> settings, ChannelHandler routes) {
        this.settings = settings;
        this.routes = routes;
    }

    @Override
    protected void initChannel(Channel ch) {
        ServerSettings now = settings.get();
        if (!connections.admit(ch, now.maxConnections())) {
            return;
        }
        var edge = new RequestEdge(now, false);
        ch.pipeline()
                .addLast(Handlers.ARRIVAL, edge.arrival())
                .addLast(Handlers.CODEC, new HttpServerCodec(RequestEdge.decoderConfig(now)))
                .addLast(Handlers.EDGE, edge)
                .addLast(Handlers.AGGREGATOR, new BoundedAggregator(MAX_REQUEST_BYTES))
                .addLast(Handlers.ADMIN_SEQUENCER, new AdminSequencer())
                .addLast(Handlers.ADMIN_EDGE, refusals)
                .addLast(Handlers.ADMIN, routes);
    }
}
