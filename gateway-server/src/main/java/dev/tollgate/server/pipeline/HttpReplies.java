package dev.tollgate.server.pipeline;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.spi.ClientDialect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;

/** Complete (non-streamed) responses to the client, with the request id and keep-alive handled in one place. */
public final class HttpReplies {
    private HttpReplies() {}

    /** Writes and flushes a whole response, closing the connection afterwards unless {@code keepAlive}. */
    public static ChannelFuture send(ChannelHandlerContext ctx, HttpResponseStatus status, CharSequence contentType,
                                     ByteBuf body, String requestId, boolean keepAlive) {
        return send(ctx, status, contentType, body, requestId, keepAlive, null);
    }

    /** As {@link #send(ChannelHandlerContext, HttpResponseStatus, CharSequence, ByteBuf, String, boolean)}, plus
     * {@code extra} headers (rate limits, cost), or none when null. */
    public static ChannelFuture send(ChannelHandlerContext ctx, HttpResponseStatus status, CharSequence contentType,
                                     ByteBuf body, String requestId, boolean keepAlive, HttpHeaders extra) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(RequestId.HEADER, requestId);
        if (extra != null) {
            response.headers().add(extra);
        }
        return finish(ctx, response, keepAlive);
    }

    /** A JSON body from bytes the caller will not touch again. */
    public static ChannelFuture json(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] body,
                                     String requestId, boolean keepAlive) {
        return send(ctx, status, HttpHeaderValues.APPLICATION_JSON, Unpooled.wrappedBuffer(body), requestId, keepAlive);
    }

    /** An error in the client's dialect, with {@code Retry-After} when the error says when to come back. */
    public static ChannelFuture error(ChannelHandlerContext ctx, ClientDialect dialect, GatewayError error,
                                      String requestId, boolean keepAlive) {
        return error(ctx, dialect, error, requestId, keepAlive, null);
    }

    /** An error with {@code extra} headers (the rate-limit state on a 429), or none when null. */
    public static ChannelFuture error(ChannelHandlerContext ctx, ClientDialect dialect, GatewayError error,
                                      String requestId, boolean keepAlive, HttpHeaders extra) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(error.httpStatus()),
                Unpooled.wrappedBuffer(dialect.encodeError(error, requestId)));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(RequestId.HEADER, requestId);
        if (extra != null) {
            response.headers().add(extra);
        }
        if (error.retryAfter() != null) {
            retryAfter(response.headers(), error.retryAfter());
        }
        return finish(ctx, response, keepAlive);
    }

    /** Sets {@code Retry-After} in whole seconds, rounded up: a client that waits this long must find room. */
    public static void retryAfter(HttpHeaders headers, Duration after) {
        long millis = after.toMillis();
        headers.set(HttpHeaderNames.RETRY_AFTER, Math.max(1, (millis + 999) / 1000));
    }

    private static ChannelFuture finish(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        return written;
    }
}
