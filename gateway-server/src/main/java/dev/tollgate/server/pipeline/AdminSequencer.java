package dev.tollgate.server.pipeline;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Answers the admin port's requests on one connection in the order they came, one at a time. Admin replies are
 * asynchronous (a store read, a config reload) and some are streamed in pieces (an export), so without this a
 * request pipelined behind another could be answered first, or have its answer written into the middle of a
 * streamed body. A request that arrives while one is being answered waits, with reads paused, until that answer's
 * last piece has been written. One per connection.
 */
final class AdminSequencer extends ChannelDuplexHandler {
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(1);
    private boolean answering;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (answering) {
            waiting.addLast(request);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        answering = true;
        ctx.fireChannelRead(request);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // A whole response is a LastHttpContent too: either way this is the end of the answer being written.
        boolean ended = msg instanceof LastHttpContent;
        ctx.write(msg, promise);
        if (ended && answering) {
            answering = false;
            // Later, not inside the routes' write: the next request starts on a clean stack.
            ctx.executor().execute(() -> next(ctx));
        }
    }

    private void next(ChannelHandlerContext ctx) {
        if (answering) {
            return;
        }
        FullHttpRequest request = waiting.pollFirst();
        if (request == null) {
            if (ctx.channel().isActive()) {
                ctx.channel().config().setAutoRead(true);
            }
            return;
        }
        if (!ctx.channel().isActive()) {
            request.release();
            next(ctx);
            return;
        }
        answering = true;
        ctx.fireChannelRead(request);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        FullHttpRequest w;
        while ((w = waiting.pollFirst()) != null) {
            ReferenceCountUtil.release(w);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        handlerRemoved(ctx);
        ctx.fireChannelInactive();
    }
}
