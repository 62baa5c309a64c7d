package dev.tollgate.server.sse;

import dev.tollgate.core.spi.SseEvent;
import io.netty.buffer.ByteBuf;

/**
 * Cuts an upstream's streamed body into events, whatever its framing (server-sent events, AWS event stream),
 * so a provider's stream decoder sees one vocabulary. Single-threaded; input may be split anywhere.
 */
public interface EventFramer extends AutoCloseable {

    /** Receives each complete event. */
    interface Sink {
        /**
         * @param raw the event's bytes exactly as they came; the sink owns this reference and must release it
         * @param event the event, or null for a block that carries none (SSE comments such as keep-alives)
         */
        void onEvent(ByteBuf raw, SseEvent event);
    }

    /**
     * Appends {@code chunk} (not released here) and delivers every event it completes.
     *
     * @throws SseOverflowException when one event grows past the framer's limit
     * @throws MalformedStreamException when the bytes break the framing
     */
    void feed(ByteBuf chunk, Sink sink);

    /** The body ended: delivers what the end completes; an incomplete last event is dropped. */
    void finish(Sink sink);

    /** Frees what is buffered; the framer is unusable afterwards. */
    @Override
    void close();
}
