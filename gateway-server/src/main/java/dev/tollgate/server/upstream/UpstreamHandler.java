package dev.tollgate.server.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection: hands messages to the exchange holding the connection and tracks
 * whether the current response finished cleanly, which decides if the connection may be pooled again.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final LoopPool pool;
    private UpstreamListener listener;
    private Throwable failure;
    private boolean responseComplete;
    private boolean keepAlive;

    UpstreamHandler(LoopPool pool) {
        this.pool = pool;
    }

    void attach(UpstreamListener listener) {
        this.listener = listener;
        this.responseComplete = false;
        this.keepAlive = false;
    }

    void detach() {
        this.listener = null;
    }

    /** True when the last response ended with its final piece and allows the connection to be reused. */
    boolean reusable() {
        return responseComplete && keepAlive;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener == null) {
            // Bytes on an idle pooled connection: the server broke the protocol; never reuse it.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse response
                && response.status().codeClass() != io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
            keepAlive = HttpUtil.isKeepAlive(response) && !response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS);
        }
        if (msg instanceof LastHttpContent) {
            responseComplete = true;
        }
        listener.onMessage((HttpObject) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        listener = null;
        pool.forget(ctx.channel());
        if (l != null) {
            l.onClosed(failure);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        ctx.close();
    }
}
