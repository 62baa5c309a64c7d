package dev.tollgate.server.pipeline;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.ListedModel;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.observe.RouteTrace;
import dev.tollgate.core.observe.trace.TraceContext;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.server.access.Authentication;
import dev.tollgate.server.access.Caller;
import dev.tollgate.server.exchange.ChatExchange;
import dev.tollgate.server.exchange.ExchangeServices;
import dev.tollgate.server.exchange.ProxyExchange;
import dev.tollgate.server.trace.TraceHeaders;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes each complete request on one client connection. One exchange runs at a time per connection: a
 * pipelined request waits (with reads paused) until the one before it has been answered, since HTTP/1.1 answers
 * in order.
 */
final class ProxyDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ProxyDispatcher.class.getName());

    private final ExchangeServices services;
    private final Drain drain;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(1);
    private ProxyExchange current;
    private boolean closing;
    private ChannelHandlerContext ctx;
    private BoundedAggregator aggregator;

    ProxyDispatcher(ExchangeServices services, Drain drain) {
        this.services = services;
        this.drain = drain;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.aggregator = (BoundedAggregator) ctx.pipeline().get(Handlers.AGGREGATOR);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closing) {
            request.release();
        } else if (current != null) {
            waiting.addLast(request);
            ctx.channel().config().setAutoRead(false);
        } else {
            dispatch(request);
        }
        aggregator.handedOver();
    }

    private void dispatch(FullHttpRequest request) {
        long start = System.nanoTime();
        HttpHeaders headers = request.headers();
        String clientId = headers.get(RequestId.HEADER);
        String requestId = RequestId.accept(clientId);
        try {
            DecoderResult decoded = request.decoderResult();
            if (!decoded.isSuccess()) {
                // A request refused for its size or headers still names its API; a garbled one may not.
                Route named = decoded.cause() instanceof BoundedAggregator.BodyTooLarge
                        || decoded.cause() instanceof EdgeRefusal ? Route.of(request.uri()) : null;
                refuse(services.providers().dialect(Route.dialectOf(named, request)), requestId, headers, start, null,
                        EdgeRefusal.errorOf(decoded.cause()), false);
                return;
            }
            // While draining, every answer closes its connection so the client reconnects to another replica.
            boolean keepAlive = HttpUtil.isKeepAlive(request) && !drain.draining();
            Route route = Route.of(request.uri());
            ClientDialect dialect = services.providers().dialect(Route.dialectOf(route, request));
            if (route == null) {
                refuse(dialect, requestId, headers, start, null, GatewayError.of(ErrorKind.NOT_FOUND,
                        "Unknown request URL: " + request.method() + " " + Route.normalise(request.uri())), keepAlive);
                return;
            }
            if (!route.method().equals(request.method())) {
                refuse(dialect, requestId, headers, start, route, GatewayError.of(ErrorKind.METHOD_NOT_ALLOWED,
                        request.method() + " is not allowed here; use " + route.method() + "."), keepAlive);
                return;
            }
            RuntimeSnapshot snapshot = services.snapshot().get();
            Authentication auth = services.keys().authenticate(request.headers(), route.label(), snapshot.access(),
                    snapshot.evaluation().team());
            if (auth instanceof Authentication.Refused refused) {
                refuse(dialect, requestId, headers, start, route, refused.error(), keepAlive);
                return;
            }
            Caller caller = ((Authentication.Allowed) auth).caller();
            if (route == Route.MODELS) {
                byte[] list = dialect.encodeModelList(visibleModels(snapshot, caller));
                HttpReplies.json(ctx, HttpResponseStatus.OK, list, requestId, keepAlive);
                report(requestId, headers, start, route, 200, null);
                if (!keepAlive) {
                    closing();
                }
                return;
            }
            byte[] body;
            try {
                body = ContentCoding.decodedBody(headers, request.content(),
                        (int) Math.min(Integer.MAX_VALUE, snapshot.server().maxRequestBytes()));
            } catch (EdgeRefusal refusal) {
                refuse(dialect, requestId, headers, start, route, refusal.error(), false);
                return;
            }
            current = route == Route.FEEDBACK
                    ? new FeedbackExchange(ctx, services.feedback(), dialect, caller.keyName(), body, requestId,
                            keepAlive, (status, kind) -> report(requestId, headers, start, route, status, kind),
                            this::exchangeDone)
                    : new ChatExchange(ctx, services, snapshot, dialect, route, requestId,
                            RequestId.spendId(requestId, clientId), keepAlive, body,
                            passthroughHeaders(dialect, request), request.headers(), caller, this::exchangeDone);
        } finally {
            request.release();
        }
        drain.exchangeStarted();
        current.start();
    }

    private void exchangeDone(boolean connectionContinues) {
        current = null;
        try {
            continueAfter(connectionContinues);
        } finally {
            // Only now: a pipelined request dispatched just above counts before this one stops counting, so a
            // draining gateway never sees zero in between and cuts it.
            drain.exchangeEnded();
        }
    }

    private void continueAfter(boolean connectionContinues) {
        if (!connectionContinues) {
            closing();
            return;
        }
        // A waiting request answered without an exchange (a refusal, the model list) leaves no exchange to call
        // back here: keep going until one is running or none waits, else the rest would wait forever.
        FullHttpRequest next;
        while (current == null && !closing && (next = waiting.pollFirst()) != null) {
            dispatch(next);
        }
        if (current == null && !closing && ctx.channel().isActive()) {
            if (drain.draining()) {
                closeWhenWritten();
            } else {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    /** Closes once everything written so far has gone out: the last answer is never cut by its own close. */
    private void closeWhenWritten() {
        closing();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * The connection is closing after the response just written (no keep-alive, or a stream cut after commit):
     * requests pipelined behind it are dropped unanswered, as HTTP/1.1 allows, instead of starting upstream
     * calls nobody can receive.
     */
    private void closing() {
        closing = true;
        FullHttpRequest w;
        while ((w = waiting.pollFirst()) != null) {
            w.release();
        }
    }

    /**
     * Draining began: an idle connection closes now; a busy one closes after its answer (keep-alive is off). Or a
     * request took too long to arrive: 408 in the dialect its head names (OpenAI's when the head never came), and
     * the connection closes with the rest unread.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof RequestEdge.TimedOut late) {
            timedOut(late);
            return;
        }
        if (event != Drain.BEGIN) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        if (current == null && !aggregator.receiving()) {
            closeWhenWritten();
        } // else: the answer under way, or to the request still arriving, goes out with keep-alive off, then closes
    }

    private void timedOut(RequestEdge.TimedOut late) {
        aggregator.handedOver();
        HttpRequest head = late.head();
        String dialect = head == null ? Route.OPENAI : Route.dialectOf(Route.of(head.uri()), head);
        refuse(services.providers().dialect(dialect), RequestId.accept(null),
                head == null ? EmptyHttpHeaders.INSTANCE : head.headers(), System.nanoTime(), null,
                EdgeRefusal.timedOut(late.inHeaders()), false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        FullHttpRequest w;
        while ((w = waiting.pollFirst()) != null) {
            w.release();
        }
        if (current != null) {
            current.onClientGone();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes are clients leaving; anything else is worth a line, never the request body.
        if (!(cause instanceof java.io.IOException)) {
            LOG.log(Level.WARNING, "closing a client connection after an unexpected error", cause);
        }
        ctx.close();
    }

    /** @param route null when the request named no route */
    private void refuse(ClientDialect dialect, String requestId, HttpHeaders requestHeaders, long start, Route route,
                        GatewayError error, boolean keepAlive) {
        HttpReplies.error(ctx, dialect, error, requestId, keepAlive);
        if (!keepAlive) {
            closing();
        }
        report(requestId, requestHeaders, start, route, error.httpStatus(), error.kind());
    }

    /**
     * Reports a request answered without an exchange: a refusal, the model list, or feedback. It has no span, but
     * its log line still joins the client's trace: read only now, so that a proxied request (whose exchange reads
     * the trace context itself) pays nothing for it.
     */
    private void report(String requestId, HttpHeaders requestHeaders, long start, Route route, int status,
                        ErrorKind kind) {
        String traceId = TraceContext.traceIdOf(TraceHeaders.traceparent(requestHeaders));
        services.reporter().report(new ExchangeSummary(requestId, route == null ? "other" : route.label(),
                route == null ? null : route.operation(), null, null, null, null, status,
                kind == null ? Outcome.SUCCESS : Outcome.of(kind), kind, false, System.nanoTime() - start, -1, -1,
                Usage.UNKNOWN, null, null, null, Money.ZERO, false, requestId, RouteTrace.NONE, null, null), traceId, null,
                null);
    }

    /** The model names a caller may send: all of them on an open gateway or for a key without model scopes. */
    private static List<ListedModel> visibleModels(RuntimeSnapshot snapshot, Caller caller) {
        List<ListedModel> listed = snapshot.listedModels();
        if (caller.key() == null || caller.key().models().isEmpty()) {
            return listed;
        }
        List<ListedModel> visible = new ArrayList<>(listed.size());
        for (ListedModel model : listed) {
            if (caller.key().allowsModel(model.name())) {
                visible.add(model);
            }
        }
        return visible;
    }

    /** The client headers its dialect carries to a same-dialect upstream (usually none: no allocation then). */
    private static List<Header> passthroughHeaders(ClientDialect dialect, FullHttpRequest request) {
        List<Header> out = List.of();
        for (String name : dialect.passthroughHeaders()) {
            for (String value : request.headers().getAll(name)) {
                if (out.isEmpty()) {
                    out = new ArrayList<>(2);
                }
                out.add(new Header(name, value));
            }
        }
        return out;
    }
}
