package dev.tollgate.server.sse;

import dev.tollgate.core.spi.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Cuts a byte stream into server-sent events, following the WHATWG "event stream interpretation" rules: lines end
 * with CRLF, LF or CR; a blank line ends an event; {@code data} lines join with LF; one space after the colon is
 * dropped; lines starting with a colon are comments. Input may be split anywhere, including inside a multi-byte
 * UTF-8 character or between CR and LF: text is decoded only from whole lines.
 *
 * <p>Each complete event reaches the sink with its raw bytes (its blank line included), so a same-dialect relay
 * can forward them untouched. Single-threaded; the owner calls {@link #close()} to free the buffered tail.
 */
public final class SseFramer implements EventFramer {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final ByteBufAllocator alloc;
    private final int maxEventBytes;
    private ByteBuf buffer;
    private int lineStart;
    private StringBuilder data;
    private String eventType;
    private String id;

    public SseFramer(ByteBufAllocator alloc, int maxEventBytes) {
        this.alloc = alloc;
        this.maxEventBytes = maxEventBytes;
    }

    @Override
    public void feed(ByteBuf chunk, Sink sink) {
        if (!chunk.isReadable()) {
            return;
        }
        if (buffer == null) {
            buffer = alloc.buffer(Math.max(chunk.readableBytes(), 256));
        }
        buffer.writeBytes(chunk, chunk.readerIndex(), chunk.readableBytes());
        scan(sink, false);
        if (buffer.readableBytes() > maxEventBytes) {
            throw new SseOverflowException(maxEventBytes);
        }
        compact();
    }

    /**
     * The stream ended: delivers an event whose final CR was the last byte (it cannot be the start of a CRLF any
     * more). An unterminated last event is dropped, as the spec says.
     */
    @Override
    public void finish(Sink sink) {
        if (buffer != null) {
            scan(sink, true);
        }
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    private void scan(Sink sink, boolean atEnd) {
        int i = lineStart;
        int end = buffer.writerIndex();
        while (i < end) {
            byte b = buffer.getByte(i);
            if (b != CR && b != LF) {
                i++;
                continue;
            }
            int lineEnd = i;
            int next;
            if (b == CR) {
                if (i + 1 == end && !atEnd) {
                    return; // the LF of a CRLF may be in the next chunk
                }
                next = (i + 1 < end && buffer.getByte(i + 1) == LF) ? i + 2 : i + 1;
            } else {
                next = i + 1;
            }
            if (lineEnd == lineStart) {
                dispatch(next, sink);
            } else {
                field(lineStart, lineEnd);
            }
            lineStart = next;
            i = next;
        }
    }

    private void field(int from, int to) {
        if (buffer.getByte(from) == ':') {
            return;
        }
        int colon = buffer.indexOf(from, to, (byte) ':');
        String name;
        String value;
        if (colon < 0) {
            name = buffer.toString(from, to - from, StandardCharsets.UTF_8);
            value = "";
        } else {
            name = buffer.toString(from, colon - from, StandardCharsets.UTF_8);
            int v = colon + 1;
            if (v < to && buffer.getByte(v) == ' ') {
                v++;
            }
            value = buffer.toString(v, to - v, StandardCharsets.UTF_8);
        }
        switch (name) {
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            case "event" -> eventType = value;
            case "id" -> id = value;
            default -> { } // "retry" and unknown fields mean nothing to a relay
        }
    }

    private void dispatch(int blockEnd, Sink sink) {
        int start = buffer.readerIndex();
        ByteBuf raw = buffer.retainedSlice(start, blockEnd - start);
        buffer.readerIndex(blockEnd);
        SseEvent event = data == null ? null : new SseEvent(eventType, data.toString(), id);
        data = null;
        eventType = null;
        id = null;
        sink.onEvent(raw, event);
    }

    /**
     * Drops consumed bytes without moving any: the raw slices handed out still read this memory (maybe queued for
     * a write), so a consumed buffer is released and a partly consumed one is replaced by a copy of its tail.
     */
    private void compact() {
        int consumed = buffer.readerIndex();
        if (consumed == buffer.writerIndex()) {
            buffer.release();
            buffer = null;
            lineStart = 0;
        } else if (consumed > 4096) {
            ByteBuf tail = alloc.buffer(buffer.readableBytes() + 256);
            tail.writeBytes(buffer, consumed, buffer.readableBytes());
            buffer.release();
            buffer = tail;
            lineStart -= consumed;
        }
    }
}
