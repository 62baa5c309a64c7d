package dev.tollgate.server.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
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
    /** Between an interim (1xx) head and the empty last piece the codec adds to it. */
    private boolean inInterim;

    UpstreamHandler(LoopPool pool) {
        this.pool = pool;
    }

    void attach(UpstreamListener listener) {
        this.listener = listener;
        this.responseComplete = false;
        this.keepAlive = false;
        this.inInterim = false;
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
                && response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
            // An interim response (100 Continue, 103 Early Hints): the codec follows its head with an empty last
            // piece, which is not the end of the real response. Neither reaches the exchange.
            inInterim = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (inInterim && msg instanceof LastHttpContent) {
            inInterim = false;
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            keepAlive = HttpUtil.isKeepAlive(response);
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
