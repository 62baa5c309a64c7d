package dev.tollgate.server.exchange;

import dev.tollgate.core.spi.UpstreamReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A complete (not streamed) upstream reply being read: its status and headers from the head, its body gathered
 * piece by piece up to a size limit, so that a provider cannot make the gateway hold an unbounded answer.
 * Holds a buffer until {@link #reply()} or {@link #release()}. Event-loop thread only.
 */
final class ReplyCollector {
    private final int status;
    private final Map<String, String> headers = new HashMap<>();
    private final long maxBytes;
    private CompositeByteBuf body;

    ReplyCollector(HttpResponse head, ByteBufAllocator alloc, long maxBytes) {
        this.status = head.status().code();
        head.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        this.maxBytes = maxBytes;
        this.body = alloc.compositeBuffer(64);
    }

    /** Keeps a piece of the body (retained); false, keeping nothing of it, when it would pass the limit. */
    boolean add(ByteBuf piece) {
        if (body.readableBytes() + (long) piece.readableBytes() > maxBytes) {
            return false;
        }
        if (piece.isReadable()) {
            body.addComponent(true, piece.retain());
        }
        return true;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** The whole reply, its buffer released. Called once. */
    UpstreamReply reply() {
        byte[] bytes = ByteBufUtil.getBytes(body);
        release();
        return new UpstreamReply(status, headers, bytes);
    }

    /** Frees the body; idempotent. */
    void release() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
