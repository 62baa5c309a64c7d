package dev.tollgate.server.exchange;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.server.pipeline.RequestId;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * A request answered by the identical request in flight, on its own connection's loop: whatever the leader's
 * thread hands over is queued onto this loop, then re-encoded in this client's dialect. A streaming client gets
 * the events as they come (its response is committed with the first); one that does not stream gets the whole
 * answer at the end, as does a streaming client whose leader did not stream.
 *
 * <p>A client that reads more slowly than the answer arrives is not waited for: once its connection's unsent
 * backlog passes {@code maxBacklogBytes}, its stream is cut with an in-band error, so neither the leader nor the
 * other followers slow down for it. Loop thread only, apart from the {@link Flight.Follower} hand-offs.
 */
final class FlightFollower implements Flight.Follower {

    /** How the exchange that follows ends. Called on its loop, once. */
    interface Landing {
        /** The answer was sent in full; {@code saved} is what the leader paid for it. */
        void coalesced(Money saved);

        /** The stream was cut after it started: the client got an in-band error and the connection closes. */
        void cut(GatewayError error);

        /** The leader failed before this client got anything: it goes upstream on its own. */
        void orphaned();
    }

    private final ChannelHandlerContext ctx;
    private final ClientDialect dialect;
    private final ChatRequest request;
    private final boolean stream;
    private final String requestId;
    private final boolean keepAlive;
    private final HttpHeaders headers;
    private final long maxBacklogBytes;
    private final Landing landing;
    private Flight flight;
    /** Set once the response is committed (the first event went out); null before. */
    private StreamEncoder encoder;
    private boolean usageSeen;
    private boolean done;

    /**
     * @param headers the response headers the exchange gathered (rate limits, the cache result)
     * @param maxBacklogBytes how far a streaming client may fall behind before it is cut
     */
    FlightFollower(ChannelHandlerContext ctx, ClientDialect dialect, ChatRequest request, boolean stream,
                   String requestId, boolean keepAlive, HttpHeaders headers, long maxBacklogBytes, Landing landing) {
        this.ctx = ctx;
        this.dialect = dialect;
        this.request = request;
        this.stream = stream;
        this.requestId = requestId;
        this.keepAlive = keepAlive;
        this.headers = headers;
        this.maxBacklogBytes = maxBacklogBytes;
        this.landing = landing;
    }

    /** The flight it joined; called on its loop right after boarding, before any hand-off can run. */
    void boarded(Flight joined) {
        flight = joined;
    }

    @Override
    public void events(List<StreamEvent> events) {
        if (stream) {
            hop(() -> relay(events));
        }
    }

    @Override
    public void completed(ChatResponse answer, Money cost) {
        hop(() -> land(answer, cost));
    }

    @Override
    public void failed(GatewayError error) {
        hop(() -> lost(error));
    }

    /** The client left: stop waiting, the flight goes on without it. */
    void leave() {
        if (!done) {
            done = true;
            flight.leave(this);
        }
    }

    /**
     * The exchange ran out of time: leaves the flight and, when the stream had started, ends it with {@code error}
     * in band. Returns whether it did; if not, nothing was sent and the exchange answers the error itself.
     */
    boolean abandon(GatewayError error) {
        leave();
        if (encoder == null) {
            return false;
        }
        breakOff(error);
        return true;
    }

    private void hop(Runnable task) {
        try {
            ctx.channel().eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down and this connection with it: there is no one left to answer.
        }
    }

    private void relay(List<StreamEvent> events) {
        if (done) {
            return;
        }
        if (encoder == null) {
            commit(events.getFirst() instanceof StreamEvent.Start s && s.id() != null ? s.id() : requestId);
        }
        for (StreamEvent e : events) {
            usageSeen |= e instanceof StreamEvent.UsageUpdate;
            write(encoder.encode(e));
        }
        ctx.flush();
        if (!ctx.channel().isWritable() && ctx.channel().bytesBeforeWritable() > maxBacklogBytes) {
            leave();
            GatewayError error = GatewayError.of(ErrorKind.GATEWAY_OVERLOADED, "The stream was cut: the client "
                    + "read it more slowly than the answer arrived and fell more than " + maxBacklogBytes
                    + " bytes behind.");
            breakOff(error);
            landing.cut(error);
        }
    }

    private void land(ChatResponse answer, Money cost) {
        if (done) {
            return;
        }
        done = true;
        if (encoder == null) {
            // Nothing streamed yet (the leader did not stream, or it finished before this one joined).
            CachedReply.send(ctx, dialect, request, answer, stream, requestId, keepAlive, headers);
        } else {
            if (!usageSeen && answer.usage() != Usage.UNKNOWN) {
                write(encoder.encode(new StreamEvent.UsageUpdate(answer.usage())));
            }
            write(encoder.end());
            var last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) {
                last.addListener(ChannelFutureListener.CLOSE);
            }
        }
        landing.coalesced(cost);
    }

    private void lost(GatewayError error) {
        if (done) {
            return;
        }
        done = true;
        if (encoder == null) {
            landing.orphaned();
            return;
        }
        GatewayError broken = GatewayError.of(error.kind(), "The answer this request shared with an identical "
                + "request in flight broke off: " + error.message());
        breakOff(broken);
        landing.cut(broken);
    }

    private void commit(String id) {
        encoder = dialect.streamEncoder(request, id);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("x-accel-buffering", "no")
                .set(RequestId.HEADER, requestId)
                .add(headers);
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.write(head);
    }

    private void write(byte[] bytes) {
        if (bytes.length > 0) {
            ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
        }
    }

    /** The in-band error, then the connection is cut so that the stream cannot look complete. */
    private void breakOff(GatewayError error) {
        write(encoder.fail(error));
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
