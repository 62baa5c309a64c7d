package dev.tollgate.server.mock;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.providers.openai.OpenAiDialect;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.providers.mock.MockEngine;
import dev.tollgate.providers.mock.MockFault;
import dev.tollgate.server.pipeline.HttpReplies;
import dev.tollgate.server.pipeline.RequestId;
import dev.tollgate.server.pipeline.Route;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves the OpenAI API from a {@link MockEngine}: answers after the profile's latency, streams at its pace, and
 * injects its faults (an error status, or a connection reset part-way through a stream).
 */
@ChannelHandler.Sharable
final class MockHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** A profile and the engine built from it: swapped together, read once per request. */
    private record Behaviour(MockProfile profile, MockEngine engine) {
        Behaviour(MockProfile profile) {
            this(profile, new MockEngine(profile));
        }
    }

    private final OpenAiDialect dialect = new OpenAiDialect();
    private final AtomicLong requests = new AtomicLong();
    private volatile Behaviour behaviour;

    MockHandler(MockProfile profile) {
        this.behaviour = new Behaviour(profile);
    }

    /** Requests from now on follow {@code profile}; those already answering keep the one they started with. */
    void reconfigure(MockProfile profile) {
        behaviour = new Behaviour(profile);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String requestId = RequestId.accept(request.headers().get(RequestId.HEADER));
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        Route route = Route.of(request.uri());
        byte[] body = ByteBufUtil.getBytes(request.content());
        long number = requests.getAndIncrement();
        Behaviour b = behaviour;
        Runnable answer = () -> answer(ctx, b, route, body, number, requestId, keepAlive);
        if (b.profile().latency().isZero()) {
            answer.run();
        } else {
            ctx.executor().schedule(answer, b.profile().latency().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void answer(ChannelHandlerContext ctx, Behaviour b, Route route, byte[] body, long number,
                        String requestId, boolean keepAlive) {
        MockEngine engine = b.engine();
        if (route == null) {
            error(ctx, GatewayError.of(ErrorKind.NOT_FOUND, "No such mock route."), requestId, keepAlive);
            return;
        }
        MockFault fault = route == Route.MODELS ? new MockFault.None() : engine.fault(number);
        if (fault instanceof MockFault.Error e) {
            error(ctx, new GatewayError(ErrorKind.PROVIDER_ERROR, e.status(), "Injected mock failure.", null,
                    "mock_fault", null), requestId, keepAlive);
            return;
        }
        try {
            switch (route) {
                case MODELS -> HttpReplies.json(ctx, HttpResponseStatus.OK, dialect.encodeModelList(List.of()),
                        requestId, keepAlive);
                case EMBEDDINGS -> {
                    EmbeddingRequest embed = dialect.decodeEmbeddings(body);
                    HttpReplies.json(ctx, HttpResponseStatus.OK,
                            dialect.encodeEmbeddings(engine.embed(embed), embed.encodingFormat()), requestId, keepAlive);
                }
                case CHAT -> chat(ctx, b, dialect.decodeChat(body), number, fault, requestId, keepAlive);
            }
        } catch (GatewayException e) {
            error(ctx, e.error(), requestId, keepAlive);
        }
    }

    private void chat(ChannelHandlerContext ctx, Behaviour b, ChatRequest request, long number, MockFault fault,
                      String requestId, boolean keepAlive) {
        MockEngine engine = b.engine();
        int chunks = b.profile().chunks();
        ChatResponse response = engine.answer(request, "chatcmpl-mock-" + number, System.currentTimeMillis() / 1000);
        if (!request.stream()) {
            HttpReplies.json(ctx, HttpResponseStatus.OK, dialect.encodeChat(response), requestId, keepAlive);
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(RequestId.HEADER, requestId);
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.write(head);
        int resetAfter = fault instanceof MockFault.ResetAfter r ? r.chunks() : -1;
        var stream = new Stream(ctx, dialect.streamEncoder(request, response.id()),
                engine.streamEvents(response, chunks), engine.chunkInterval(response, chunks),
                resetAfter, keepAlive);
        stream.next();
    }

    private void error(ChannelHandlerContext ctx, GatewayError error, String requestId, boolean keepAlive) {
        HttpReplies.error(ctx, dialect, error, requestId, keepAlive);
    }

    /** One streamed answer: writes events in order, pausing between content events. */
    private static final class Stream {
        private final ChannelHandlerContext ctx;
        private final StreamEncoder encoder;
        private final List<StreamEvent> events;
        private final Duration interval;
        private final int resetAfter;
        private final boolean keepAlive;
        private int index;
        private int contentSent;

        Stream(ChannelHandlerContext ctx, StreamEncoder encoder, List<StreamEvent> events, Duration interval,
               int resetAfter, boolean keepAlive) {
            this.ctx = ctx;
            this.encoder = encoder;
            this.events = events;
            this.interval = interval;
            this.resetAfter = resetAfter;
            this.keepAlive = keepAlive;
        }

        void next() {
            if (!ctx.channel().isActive()) {
                return;
            }
            while (index < events.size()) {
                StreamEvent event = events.get(index++);
                if (event.isContent() && contentSent == resetAfter) {
                    // A reset (RST, not FIN) part-way through, like a provider crashing mid-answer.
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    ctx.flush();
                    ctx.close();
                    return;
                }
                byte[] frame = encoder.encode(event);
                if (frame.length > 0) {
                    ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(frame)));
                }
                if (event.isContent()) {
                    contentSent++;
                    if (!interval.isZero() && index < events.size()) {
                        ctx.flush();
                        ctx.executor().schedule(this::next, interval.toNanos(), TimeUnit.NANOSECONDS);
                        return;
                    }
                }
            }
            ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(encoder.end())));
            var done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) {
                done.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
