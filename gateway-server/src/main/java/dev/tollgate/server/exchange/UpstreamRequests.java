package dev.tollgate.server.exchange;

import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.Splice;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.server.pipeline.RequestId;
import dev.tollgate.server.upstream.Origin;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.List;

/**
 * Builds the HTTP request sent upstream. Only config-derived parts (URI, auth), the body and the trace context
 * leave the gateway.
 */
final class UpstreamRequests {
    private static final String USER_AGENT = "tollgate/0.1";

    private UpstreamRequests() {}

    /**
     * The client's body with {@code splices} applied, as slices of the original array (nothing is copied, so a
     * large request costs no more than a small one).
     */
    static ByteBuf splicedBody(ByteBufAllocator alloc, byte[] body, List<Splice> splices) {
        if (splices.isEmpty()) {
            return Unpooled.wrappedBuffer(body);
        }
        CompositeByteBuf out = alloc.compositeBuffer(splices.size() * 2 + 1);
        int at = 0;
        for (Splice s : splices) {
            if (s.start() > at) {
                out.addComponent(true, Unpooled.wrappedBuffer(body, at, s.start() - at));
            }
            if (s.replacement().length > 0) {
                out.addComponent(true, Unpooled.wrappedBuffer(s.replacement()));
            }
            at = s.end();
        }
        if (at < body.length) {
            out.addComponent(true, Unpooled.wrappedBuffer(body, at, body.length - at));
        }
        return out;
    }

    /** @param trace sets the trace headers, last, so no configured header can stand in for them; null for none */
    static FullHttpRequest build(UpstreamCall call, Origin origin, ByteBuf body, boolean stream, String requestId,
                                 ExchangeTrace trace) {
        URI uri = call.uri();
        String target = uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(call.method()), target, body);
        HttpHeaders h = request.headers();
        h.set(HttpHeaderNames.HOST, origin.hostHeader());
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        h.set(HttpHeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json");
        h.set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        h.set(RequestId.HEADER, requestId);
        for (Header header : call.headers()) {
            h.set(header.name(), header.value());
        }
        if (trace != null) {
            trace.inject(h);
        }
        return request;
    }
}
