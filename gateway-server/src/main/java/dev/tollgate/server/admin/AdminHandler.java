package dev.tollgate.server.admin;

import dev.tollgate.metrics.Exposition;
import dev.tollgate.server.pipeline.HttpReplies;
import dev.tollgate.server.pipeline.RequestId;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The admin port's routes: {@code GET /healthz} (the process is up), {@code GET /readyz} (it serves traffic),
 * {@code GET /metrics} (OpenMetrics when the {@code Accept} header asks for it, as Prometheus does; the Prometheus
 * text format otherwise). Nothing here is reachable from the proxy port.
 */
@ChannelHandler.Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String JSON = "application/json";

    private final BooleanSupplier ready;
    private final Function<String, Exposition> metrics;
    private final AdminApi api;

    /** @param metrics a scrape in the format an {@code Accept} header (or null) asks for */
    public AdminHandler(BooleanSupplier ready, Function<String, Exposition> metrics, AdminApi api) {
        this.ready = ready;
        this.metrics = metrics;
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String requestId = RequestId.accept(request.headers().get(RequestId.HEADER));
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = request.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (path.startsWith("/admin/")) {
            api.handle(ctx, request, requestId, keepAlive);
            return;
        }
        boolean known = path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics");
        if (!known) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, JSON, "{\"error\":\"not found\"}", requestId, keepAlive);
        } else if (!request.method().equals(HttpMethod.GET)) {
            reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, JSON, "{\"error\":\"use GET\"}", requestId, keepAlive);
        } else if (path.equals("/healthz")) {
            reply(ctx, HttpResponseStatus.OK, JSON, "{\"status\":\"ok\"}", requestId, keepAlive);
        } else if (path.equals("/readyz")) {
            boolean up = ready.getAsBoolean();
            reply(ctx, up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, JSON,
                    up ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}", requestId, keepAlive);
        } else {
            Exposition scrape = metrics.apply(request.headers().get(HttpHeaderNames.ACCEPT));
            reply(ctx, HttpResponseStatus.OK, scrape.contentType(), scrape.body(), requestId, keepAlive);
        }
    }

    private static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body,
                              String requestId, boolean keepAlive) {
        var bytes = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        HttpReplies.send(ctx, status, type, bytes, requestId, keepAlive);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
