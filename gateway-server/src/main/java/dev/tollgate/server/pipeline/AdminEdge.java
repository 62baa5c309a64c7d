package dev.tollgate.server.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.GatewayError;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The admin port's answer to what its edge refuses: a request the codec or {@link RequestEdge} marked failed
 * never reaches the admin routes (a smuggling shape must not be served as if it were whole), and a request too slow
 * to arrive gets 408. Both in the admin API's error shape, with the {@code code} the proxy port gives the same
 * refusal, and the connection closes.
 */
@ChannelHandler.Sharable
final class AdminEdge extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request && !request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            request.release();
            answer(ctx, EdgeRefusal.errorOf(cause));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof RequestEdge.TimedOut late) {
            answer(ctx, EdgeRefusal.timedOut(late.inHeaders()));
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    private static void answer(ChannelHandlerContext ctx, GatewayError error) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("error").put("message", error.message()).put("status", error.httpStatus())
                .put("code", error.code());
        HttpReplies.send(ctx, HttpResponseStatus.valueOf(error.httpStatus()), HttpHeaderValues.APPLICATION_JSON,
                ByteBufUtil.writeUtf8(ctx.alloc(), body.toString()), RequestId.accept(null), false);
    }
}
