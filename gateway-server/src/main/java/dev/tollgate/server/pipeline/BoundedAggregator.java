package dev.tollgate.server.pipeline;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.providers.ProviderRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Collects a request body up to the limit. Netty's aggregator already refuses a too-large {@code Content-Length}
 * before reading any of the body (and a chunked body once it passes the limit); this one answers in the client's
 * dialect instead of with a bare 413, and always closes, since the rest of the body will not be read.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final ProviderRegistry dialects;
    private final long limit;

    BoundedAggregator(int maxContentLength, ProviderRegistry dialects) {
        super(maxContentLength);
        this.dialects = dialects;
        this.limit = maxContentLength;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest request)) {
            ctx.close();
            return;
        }
        String requestId = RequestId.accept(request.headers().get(RequestId.HEADER));
        var error = new GatewayError(ErrorKind.PAYLOAD_TOO_LARGE, 413,
                "Request body is larger than the limit of " + limit + " bytes.", null, null, null);
        ClientDialect dialect = dialects.dialect(Route.dialectOf(Route.of(request.uri()), request));
        HttpReplies.error(ctx, dialect, error, requestId, false);
    }
}
