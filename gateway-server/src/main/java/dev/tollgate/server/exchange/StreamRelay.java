package dev.tollgate.server.exchange;

import dev.tollgate.core.cache.AnswerAssembler;
import dev.tollgate.core.guard.StreamGuard;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.server.pipeline.RequestId;
import dev.tollgate.server.sse.EventFramer;
import io.netty.buffer.ByteBuf;
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
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Relays a streamed reply to the client. The upstream's bytes are cut into events by its framing, each event is
 * decoded to canonical events (to read usage, spot in-band errors and find the commit point), and the
 * {@link Rendering} decides what the client gets: the upstream's own bytes, or its dialect's encoding.
 *
 * <p>The commit point: nothing is sent to the client until the first content-bearing event. Events before it wait
 * in {@code pending}, so a failure up to then can still become a clean error response. After it, a failure
 * becomes the dialect's in-band error event and the connection is cut without the final chunk: no client reads a
 * broken stream as a finished one. A stream that stays quiet before its first content (a reasoning model
 * thinking) is committed after one keep-alive interval all the same, with a keep-alive comment, so that proxies
 * between the client and the gateway see bytes and do not time it out. Single-threaded (the exchange's loop).
 */
final class StreamRelay {
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ChannelHandlerContext ctx;
    private final StreamDecoder decoder;
    private final EventFramer framer;
    private final Rendering rendering;
    private final String requestId;
    private final boolean keepAlive;
    private final Duration keepAliveInterval;
    private final long startNanos;
    private final HttpHeaders extraHeaders;
    private final List<ByteBuf> pending = new ArrayList<>(4);
    /** Gathers the answer for the response cache; null when it is not to be kept. */
    private final AnswerAssembler transcript;
    /**
     * Where the committed events go for the followers of a coalesced request; null when none wait. Events before
     * the commit point wait in {@code unshared}: an attempt that fails before it is retried, and must not have
     * told anyone.
     */
    private final Consumer<StreamEvent> sharing;
    private final List<StreamEvent> unshared;
    /**
     * The output guardrails, between the decoder and everything else (usage, the transcript, the followers, the
     * rendering), so that nothing downstream sees what they redact; null when none screen the answer. Only with
     * {@link Rendering.Encode}: the upstream's own bytes cannot be rewritten.
     */
    private final StreamGuard guard;
    /** Cleans an in-band error of the credentials it quotes: it reaches the client and the log. */
    private final SecretScrub scrub;

    private boolean committed;
    private boolean dirty;
    private GatewayError failure;
    private Usage usage = Usage.UNKNOWN;
    private long outputChars;
    /** What the stream said about the answer (for the trace and metrics); null until it says. */
    private String responseId;
    /** The model the stream's start event names, or null before it (or when the provider names none). */
    private String responseModel;
    private FinishReason finishReason;
    private long firstTokenNanos = -1;
    private long lastWriteNanos;
    private ScheduledFuture<?> keepAliveTimer;

    StreamRelay(ChannelHandlerContext ctx, StreamDecoder decoder, EventFramer framer,
                Rendering rendering, String requestId, boolean keepAlive, Duration keepAliveInterval, long startNanos,
                HttpHeaders extraHeaders, AnswerAssembler transcript, Consumer<StreamEvent> sharing,
                StreamGuard guard, SecretScrub scrub) {
        this.ctx = ctx;
        this.decoder = decoder;
        this.framer = framer;
        this.rendering = rendering;
        this.requestId = requestId;
        this.keepAlive = keepAlive;
        this.keepAliveInterval = keepAliveInterval;
        this.startNanos = startNanos;
        this.extraHeaders = extraHeaders;
        this.transcript = transcript;
        this.sharing = sharing;
        this.unshared = sharing == null ? null : new ArrayList<>(4);
        if (guard != null && !(rendering instanceof Rendering.Encode)) {
            throw new IllegalArgumentException("a guarded stream must be encoded by the gateway, not forwarded");
        }
        this.guard = guard;
        this.scrub = scrub;
        long every = keepAliveInterval.toNanos();
        if (every > 0) {
            lastWriteNanos = System.nanoTime();
            keepAliveTimer = ctx.executor().scheduleAtFixedRate(this::keepAlive, every, every, TimeUnit.NANOSECONDS);
        }
    }

    /** Relays what {@code bytes} completes; returns the upstream's in-band error, if one arrived. */
    GatewayError feed(ByteBuf bytes) {
        framer.feed(bytes, this::onEvent);
        return failure;
    }

    /** Flushes what the last read produced, in one syscall. */
    void flush() {
        if (dirty) {
            dirty = false;
            ctx.flush();
        }
    }

    /**
     * The upstream body ended. Returns the failure to report when the stream was cut short (no terminal marker),
     * else finishes the client's stream cleanly and returns null.
     *
     * @param estimate what to report when the provider sent no usage (estimated, or {@link Usage#UNKNOWN})
     */
    GatewayError end(Usage estimate) {
        framer.finish(this::onEvent);
        if (failure == null) {
            // A failure, if the stream ended early: nothing to send but what a guard still holds.
            List<StreamEvent> complete = decoder.onComplete();
            if (guard == null) {
                accept(complete);
            } else {
                relay(Unpooled.EMPTY_BUFFER, null, guard.apply(complete));
            }
        }
        if (failure == null && guard != null) {
            // What the guard still holds (a stream that sent no finish) is text the client has not had yet.
            relay(Unpooled.EMPTY_BUFFER, null, guard.finish());
        }
        if (failure != null) {
            return failure;
        }
        if (usage == Usage.UNKNOWN) {
            usage = estimate;
        }
        ByteBuf last = rendering.end(usage);
        if (last != null) {
            queue(last);
        }
        if (!committed) {
            commit(); // a stream with no content at all is still a finished stream
        }
        var done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
        return null;
    }

    /** After commit: the in-band error event, then the connection is cut so the stream cannot look complete. */
    void abort(GatewayError error) {
        ctx.write(new DefaultHttpContent(rendering.fail(error, requestId)));
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    boolean committed() {
        return committed;
    }

    /** Usage as reported so far, or the estimate {@link #end} settled on. */
    Usage usage() {
        return usage;
    }

    /** Characters of answer text and tool arguments relayed so far: the basis of an output estimate. */
    long outputChars() {
        return outputChars;
    }

    /** Passes what the stream said about its answer (id, model, finish reason) to {@code trace}. */
    void describe(ExchangeTrace trace) {
        trace.answered(responseId, responseModel, finishReason);
    }

    long firstTokenNanos() {
        return firstTokenNanos;
    }

    /** The model the provider says is answering, as its stream's start names it; null when it named none. */
    String servedModel() {
        return responseModel;
    }

    /** Frees what is still held; idempotent. */
    void close() {
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
        }
        for (ByteBuf b : pending) {
            b.release();
        }
        pending.clear();
        framer.close();
    }

    private void onEvent(ByteBuf raw, SseEvent event) {
        if (failure != null) {
            raw.release(); // nothing follows an error
            return;
        }
        List<StreamEvent> decoded = event == null ? List.of() : decoder.onEvent(event);
        relay(raw, event, guard == null ? decoded : guard.apply(decoded));
    }

    /** Takes in one upstream event's decoded events and queues what the client gets for them. Owns {@code raw}. */
    private void relay(ByteBuf raw, SseEvent event, List<StreamEvent> decoded) {
        boolean content = accept(decoded);
        if (failure != null) {
            List<StreamEvent> before = guard != null && committed ? beforeFailure(decoded) : List.of();
            if (before.isEmpty()) {
                raw.release();
            } else {
                // Text the guard held back until the failure: the client would have had it already without one.
                ByteBuf out = rendering.render(raw, event, before);
                if (out != null) {
                    queue(out);
                }
            }
            return;
        }
        ByteBuf out = rendering.render(raw, event, decoded);
        if (out != null) {
            queue(out);
        }
        if (content && firstTokenNanos < 0) {
            firstTokenNanos = System.nanoTime() - startNanos;
        }
        if (content && !committed) {
            commit();
        }
    }

    /** The events ahead of the first failure in {@code events}. */
    private static List<StreamEvent> beforeFailure(List<StreamEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof StreamEvent.Failure) {
                return events.subList(0, i);
            }
        }
        return events;
    }

    /** Takes in decoded events: usage, failures, output size. Returns whether any carries content. */
    private boolean accept(List<StreamEvent> events) {
        boolean content = false;
        for (StreamEvent e : events) {
            if (transcript != null) {
                transcript.accept(e);
            }
            share(e);
            switch (e) {
                case StreamEvent.UsageUpdate u -> usage = u.usage();
                case StreamEvent.Failure f -> failure = scrub.error(f.error());
                case StreamEvent.TextDelta t -> outputChars += t.text().length();
                case StreamEvent.ToolCallDelta t -> outputChars += t.argumentsFragment() == null
                        ? 0 : t.argumentsFragment().length();
                case StreamEvent.Start s -> {
                    responseId = s.id();
                    responseModel = s.model();
                }
                case StreamEvent.Finish f -> finishReason = f.reason();
            }
            content |= e.isContent();
        }
        return content;
    }

    /** Passes a committed event on to the followers; a failure is not passed on (the exchange's end says it). */
    private void share(StreamEvent e) {
        if (sharing == null || e instanceof StreamEvent.Failure) {
            return;
        }
        if (committed) {
            sharing.accept(e);
        } else {
            unshared.add(e);
        }
    }

    private void queue(ByteBuf bytes) {
        if (committed) {
            write(bytes);
        } else {
            pending.add(bytes);
        }
    }

    private void commit() {
        committed = true;
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("x-accel-buffering", "no")
                .set(RequestId.HEADER, requestId);
        if (extraHeaders != null) {
            head.headers().add(extraHeaders);
        }
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.write(head);
        for (ByteBuf b : pending) {
            write(b);
        }
        pending.clear();
        if (sharing != null) {
            unshared.forEach(sharing);
            unshared.clear();
        }
    }

    private void write(ByteBuf bytes) {
        ctx.write(new DefaultHttpContent(bytes));
        dirty = true;
        lastWriteNanos = System.nanoTime();
    }

    /**
     * SSE comments keep intermediaries from timing out a quiet stream; clients ignore them. Before the first
     * content this commits the response: a stream quiet that long is better kept alive than kept retryable.
     */
    private void keepAlive() {
        if (System.nanoTime() - lastWriteNanos >= keepAliveInterval.toNanos() && ctx.channel().isActive()) {
            if (!committed) {
                commit();
            }
            write(Unpooled.wrappedBuffer(KEEP_ALIVE));
            flush();
        }
    }
}
