package dev.tollgate.server.pipeline;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Collects a request body up to the limit. Netty's aggregator already refuses a too-large {@code Content-Length}
 * before reading any of the body (and a chunked body once it passes the limit); this one hands the refusal to
 * the dispatcher, which answers it in turn and in the client's dialect instead of with a bare 413, and always closes,
 * since the rest of the body will not be read.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final long limit;

    BoundedAggregator(int maxContentLength) {
        super(maxContentLength);
        this.limit = maxContentLength;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest request)) {
            ctx.close();
            return;
        }
        // Answered by the dispatcher in its turn, never written from here: an exchange may still be answering a
        // request pipelined before this one, and HTTP/1.1 answers in order.
        var refusal = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                Unpooled.EMPTY_BUFFER, request.headers().copy(), EmptyHttpHeaders.INSTANCE);
        refusal.setDecoderResult(DecoderResult.failure(new BodyTooLarge(limit)));
        ctx.fireChannelRead(refusal);
    }

    /** The decoder result of a request whose body is over the limit. */
    static final class BodyTooLarge extends RuntimeException {
        final long limit;

        BodyTooLarge(long limit) {
            super("request body over " + limit + " bytes", null, false, false);
            this.limit = limit;
        }

        GatewayError error() {
            return new GatewayError(ErrorKind.PAYLOAD_TOO_LARGE, 413,
                    "Request body is larger than the limit of " + limit + " bytes.", null, null, null);
        }
    }
}
