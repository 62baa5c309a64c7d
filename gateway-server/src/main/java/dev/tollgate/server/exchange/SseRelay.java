package dev.tollgate.server.exchange;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.providers.openai.OpenAiChunks;
import dev.tollgate.server.pipeline.RequestId;
import dev.tollgate.server.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
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

/**
 * Relays a same-dialect event stream to the client: the upstream's own event bytes go out untouched, while each
 * event is also decoded to canonical events to read usage, spot in-band errors and find the commit point.
 *
 * <p>The commit point: nothing is sent to the client until the first content-bearing event. Events before it
 * wait in {@code pending}, so a failure up to then can still become a clean error response. After it, a failure
 * becomes the dialect's in-band error event and the connection is cut without the final chunk: no client reads a
 * broken stream as a finished one.
 *
 * <p>The gateway always asks the upstream for usage; a client that did not ask gets exactly the stream it would
 * have had: the usage-only event is dropped and the {@code "usage":null} the upstream adds to every chunk in that
 * mode is cut. Single-threaded (the exchange's loop).
 */
final class SseRelay {
    private static final int MAX_EVENT_BYTES = 8 << 20;
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ChannelHandlerContext ctx;
    private final ClientDialect dialect;
    private final StreamDecoder decoder;
    private final boolean clientWantsUsage;
    private final String requestId;
    private final boolean keepAlive;
    private final Duration keepAliveInterval;
    private final long startNanos;
    private final SseFramer framer;
    private final List<ByteBuf> pending = new ArrayList<>(4);

    private boolean committed;
    private boolean dirty;
    /** Whether the events of the last decoded batch were usage and nothing else (the chunk to strip). */
    private boolean usageOnly;
    private GatewayError failure;
    private Usage usage = Usage.UNKNOWN;
    private long firstTokenNanos = -1;
    private long lastWriteNanos;
    private ScheduledFuture<?> keepAliveTimer;

    SseRelay(ChannelHandlerContext ctx, ClientDialect dialect, StreamDecoder decoder, boolean clientWantsUsage,
             String requestId, boolean keepAlive, Duration keepAliveInterval, long startNanos) {
        this.ctx = ctx;
        this.dialect = dialect;
        this.decoder = decoder;
        this.clientWantsUsage = clientWantsUsage;
        this.requestId = requestId;
        this.keepAlive = keepAlive;
        this.keepAliveInterval = keepAliveInterval;
        this.startNanos = startNanos;
        this.framer = new SseFramer(ctx.alloc(), MAX_EVENT_BYTES);
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
     */
    GatewayError end() {
        framer.finish(this::onEvent);
        if (failure == null) {
            accept(decoder.onComplete());
        }
        if (failure != null) {
            return failure;
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
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(dialect.encodeStreamError(error, requestId))));
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    boolean committed() {
        return committed;
    }

    Usage usage() {
        return usage;
    }

    long firstTokenNanos() {
        return firstTokenNanos;
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
        boolean content = event != null && accept(decoder.onEvent(event));
        if (failure != null) {
            raw.release();
            return;
        }
        ByteBuf out = raw;
        if (!clientWantsUsage && event != null) {
            if (usageOnly) {
                raw.release();
                return;
            }
            out = withoutNullUsage(raw);
        }
        if (!committed) {
            pending.add(out);
            if (content) {
                commit();
            }
            return;
        }
        write(out);
    }

    /** Takes in decoded events; returns whether any carries content. Sets {@code usageOnly} for this batch. */
    private boolean accept(List<StreamEvent> events) {
        boolean content = false;
        usageOnly = !events.isEmpty();
        for (StreamEvent e : events) {
            switch (e) {
                case StreamEvent.UsageUpdate u -> usage = u.usage();
                case StreamEvent.Failure f -> failure = f.error();
                default -> { }
            }
            if (!(e instanceof StreamEvent.UsageUpdate)) {
                usageOnly = false;
            }
            content |= e.isContent();
        }
        return content;
    }

    /** The event without the {@code ,"usage":null} that only the gateway's usage request made the upstream add. */
    private static ByteBuf withoutNullUsage(ByteBuf raw) {
        int cut = OpenAiChunks.nullUsageSuffixStart(ByteBufUtil.getBytes(raw));
        if (cut < 0) {
            return raw;
        }
        int resume = cut + OpenAiChunks.NULL_USAGE.length;
        ByteBuf out = Unpooled.wrappedBuffer(raw.retainedSlice(raw.readerIndex(), cut),
                raw.retainedSlice(raw.readerIndex() + resume, raw.readableBytes() - resume));
        raw.release();
        return out;
    }

    private void commit() {
        committed = true;
        firstTokenNanos = System.nanoTime() - startNanos;
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("x-accel-buffering", "no")
                .set(RequestId.HEADER, requestId);
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.write(head);
        for (ByteBuf b : pending) {
            write(b);
        }
        pending.clear();
        long every = keepAliveInterval.toNanos();
        if (every > 0) {
            keepAliveTimer = ctx.executor().scheduleAtFixedRate(this::keepAlive, every, every, TimeUnit.NANOSECONDS);
        }
    }

    private void write(ByteBuf bytes) {
        ctx.write(new DefaultHttpContent(bytes));
        dirty = true;
        lastWriteNanos = System.nanoTime();
    }

    /** SSE comments keep intermediaries from timing out a quiet stream; clients ignore them. */
    private void keepAlive() {
        if (System.nanoTime() - lastWriteNanos >= keepAliveInterval.toNanos() && ctx.channel().isActive()) {
            write(Unpooled.wrappedBuffer(KEEP_ALIVE));
            flush();
        }
    }
}
