package dev.tollgate.server.pipeline;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Collects a request body up to the limit. Netty's aggregator already refuses a too-large {@code Content-Length}
 * before reading any of the body (and a chunked body once it passes the limit); this one hands the refusal to
 * the dispatcher, which answers it in turn and in the client's dialect instead of with a bare 413, and always closes,
 * since the rest of the body will not be read.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final long limit;
    /**
     * From a request's head until the dispatcher has taken the whole request in hand: read across threads by a
     * draining gateway, which waits for such requests like for running ones.
     */
    private volatile boolean receiving;

    BoundedAggregator(int maxContentLength) {
        super(maxContentLength, true); // an unmet Expect gets 417 and a close, never a wait for a body not coming
        this.limit = maxContentLength;
    }

    /**
     * A body announced with {@code Expect: 100-continue} and a {@code Content-Length} over the limit is refused
     * like any other, in the client's dialect and with a close, rather than with Netty's bare 413 on a connection
     * left open: no 100 is sent, so the body never comes. Nor is it for a head already refused (by the codec or
     * {@link RequestEdge}): a client invited to send a body the gateway then closes on may get a reset instead of
     * the refusal.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (!start.decoderResult().isSuccess()
                || HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    /** Whether a request is half-read: a draining gateway lets it arrive and answers it before closing. */
    boolean receiving() {
        return receiving;
    }

    /**
     * The dispatcher has the request: running (and counted as such) or queued behind one that runs. Cleared only
     * now, not when the last byte arrived, so that a request is never counted by neither.
     */
    void handedOver() {
        receiving = false;
    }

    @Override
    protected FullHttpMessage beginAggregation(HttpMessage start, ByteBuf content) throws Exception {
        receiving = true;
        return super.beginAggregation(start, content);
    }


    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        receiving = false;
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
                    "Request body is larger than the limit of " + limit + " bytes.", null, EdgeRefusal.TOO_LARGE, null);
        }
    }
}
