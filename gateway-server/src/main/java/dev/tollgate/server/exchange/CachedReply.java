package dev.tollgate.server.exchange;

import dev.tollgate.core.cache.ReplayEvents;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.server.pipeline.HttpReplies;
import dev.tollgate.server.pipeline.RequestId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Sends an answer from the cache in the client's dialect: a JSON body, or (for a streaming client) a whole event
 * stream written at once: the dialect's opening, the content, the finish, the usage when the dialect or the client
 * asks for it, and its terminal event. The answer keeps the id and usage it was stored with: the replay is that
 * answer again (the {@code x-request-id} header names this exchange).
 */
final class CachedReply {
    private CachedReply() {}

    static void send(ChannelHandlerContext ctx, ClientDialect dialect, ChatRequest request, ChatResponse answer,
                     boolean stream, String requestId, boolean keepAlive, HttpHeaders headers) {
        if (!stream) {
            HttpReplies.send(ctx, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                    Unpooled.wrappedBuffer(dialect.encodeChat(answer)), requestId, keepAlive, headers);
            return;
        }
        StreamEncoder encoder = dialect.streamEncoder(request, answer.id());
        ByteBuf body = Unpooled.buffer();
        for (StreamEvent event : ReplayEvents.of(answer, answer.id())) {
            body.writeBytes(encoder.encode(event));
        }
        body.writeBytes(encoder.end());
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set(RequestId.HEADER, requestId)
                .add(headers);
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.write(head);
        ctx.write(new DefaultHttpContent(body));
        var done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
