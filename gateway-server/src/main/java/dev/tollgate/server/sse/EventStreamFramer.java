package dev.tollgate.server.sse;

import dev.tollgate.core.spi.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Cuts an AWS event stream ({@code application/vnd.amazon.eventstream}, the body of Bedrock's ConverseStream) into
 * events. Each message is a prelude (total length and headers length, both uint32 big-endian, then a CRC32 of those
 * eight bytes), the headers, the payload and a CRC32 of everything before it. A header is a name (length byte,
 * UTF-8) and a typed value: 0 true, 1 false (no value), 2 byte, 3 short, 4 int, 5 long, 6 bytes and 7 string (each
 * with a uint16 length), 8 timestamp (int64 milliseconds), 9 UUID (16 bytes).
 *
 * <p>Each complete message reaches the sink with its raw bytes and an {@link SseEvent} whose {@code data} is the
 * payload as UTF-8 (JSON, for Bedrock) and whose {@code event} says what the message is:
 * <ul>
 *   <li>{@code :message-type} {@code event}: the {@code :event-type} header ({@code contentBlockDelta});</li>
 *   <li>{@code exception}: {@code exception:} and the {@code :exception-type}
 *       ({@code exception:throttlingException});</li>
 *   <li>{@code error}: {@code error:} and the {@code :error-code}, with the {@code :error-message} header as data when
 *       the payload is empty.</li>
 * </ul>
 * A message of another type, or an event without an event type, reaches the sink with a null event: it carries
 * nothing a decoder knows, like an SSE comment.
 *
 * <p>Incremental and bounded: input may be split anywhere, lengths are checked (and the prelude CRC verified) as
 * soon as a prelude is complete, so a message longer than the limit fails before its body is buffered. Raw slices
 * handed out may still be queued for writing, so buffered bytes are never moved or overwritten: a consumed buffer is
 * released and a partly consumed one replaced by a copy of its tail. Single-threaded; the owner calls
 * {@link #close()} to free the buffered tail.
 */
public final class EventStreamFramer implements EventFramer {

    /** Total length, headers length, prelude CRC. */
    static final int PRELUDE_BYTES = 12;
    /** A message with no headers and no payload: the prelude and the message CRC. */
    static final int MIN_MESSAGE_BYTES = PRELUDE_BYTES + 4;

    /** Consumed bytes worth copying a partly consumed buffer's tail to free them. */
    private static final int COMPACT_AFTER = 4096;

    private final ByteBufAllocator alloc;
    private final int maxMessageBytes;
    private ByteBuf buffer;
    /** The checked length of the message at the reader index, once its prelude has arrived; 0 before. */
    private int pending;

    /**
     * @param maxMessageBytes the largest message accepted (16 MiB is AWS's own limit); a longer one is an
     *     {@link SseOverflowException}
     */
    public EventStreamFramer(ByteBufAllocator alloc, int maxMessageBytes) {
        if (maxMessageBytes < MIN_MESSAGE_BYTES) {
            throw new IllegalArgumentException("a message takes at least " + MIN_MESSAGE_BYTES + " bytes");
        }
        this.alloc = alloc;
        this.maxMessageBytes = maxMessageBytes;
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
        int length;
        while ((length = nextLength()) > 0 && buffer.readableBytes() >= length) {
            deliver(length, sink);
        }
        compact();
    }

    /**
     * The length of the message at the reader index once its prelude is complete and valid; 0 before. A prelude is
     * checked once, however many chunks the rest of its message takes.
     */
    private int nextLength() {
        if (pending > 0) {
            return pending;
        }
        if (buffer.readableBytes() < PRELUDE_BYTES) {
            return 0;
        }
        int start = buffer.readerIndex();
        long total = buffer.getUnsignedInt(start);
        long headers = buffer.getUnsignedInt(start + 4);
        if (crc(start, 8) != buffer.getUnsignedInt(start + 8)) {
            throw new MalformedStreamException("an event stream prelude failed its checksum");
        }
        if (total < MIN_MESSAGE_BYTES || headers > total - MIN_MESSAGE_BYTES) {
            throw new MalformedStreamException("an event stream prelude has impossible lengths (message " + total
                    + " bytes, headers " + headers + " bytes)");
        }
        if (total > maxMessageBytes) {
            throw new SseOverflowException(maxMessageBytes);
        }
        pending = (int) total;
        return pending;
    }

    private void deliver(int length, Sink sink) {
        int start = buffer.readerIndex();
        if (crc(start, length - 4) != buffer.getUnsignedInt(start + length - 4)) {
            throw new MalformedStreamException("an event stream message failed its checksum");
        }
        int headersEnd = start + PRELUDE_BYTES + (int) buffer.getUnsignedInt(start + 4);
        Headers headers = headers(start + PRELUDE_BYTES, headersEnd);
        String payload = buffer.toString(headersEnd, start + length - 4 - headersEnd, StandardCharsets.UTF_8);
        ByteBuf raw = buffer.retainedSlice(start, length);
        buffer.readerIndex(start + length);
        pending = 0;
        sink.onEvent(raw, headers.event(payload));
    }

    /** The string headers an event needs; the others are read past. */
    private record Headers(String messageType, String eventType, String exceptionType, String errorCode,
                           String errorMessage) {
        SseEvent event(String payload) {
            if (messageType == null) {
                return null;
            }
            return switch (messageType) {
                case "event" -> eventType == null ? null : new SseEvent(eventType, payload, null);
                case "exception" -> new SseEvent("exception:" + orEmpty(exceptionType), payload, null);
                case "error" -> new SseEvent("error:" + orEmpty(errorCode),
                        payload.isEmpty() && errorMessage != null ? errorMessage : payload, null);
                default -> null;
            };
        }

        private static String orEmpty(String text) {
            return text == null ? "" : text;
        }
    }

    private Headers headers(int from, int to) {
        String messageType = null;
        String eventType = null;
        String exceptionType = null;
        String errorCode = null;
        String errorMessage = null;
        int at = from;
        while (at < to) {
            int nameLength = buffer.getUnsignedByte(at);
            int valueAt = at + 1 + nameLength + 1;
            if (nameLength == 0 || valueAt > to) {
                throw malformedHeaders();
            }
            int type = buffer.getUnsignedByte(valueAt - 1);
            int valueLength = switch (type) {
                case 0, 1 -> 0;
                case 2 -> 1;
                case 3 -> 2;
                case 4 -> 4;
                case 5, 8 -> 8;
                case 6, 7 -> valueAt + 2 <= to ? 2 + buffer.getUnsignedShort(valueAt) : Integer.MAX_VALUE;
                case 9 -> 16;
                default -> throw new MalformedStreamException("an event stream header has unknown type " + type);
            };
            if (valueLength > to - valueAt) {
                throw malformedHeaders();
            }
            if (type == 7) {
                String name = buffer.toString(at + 1, nameLength, StandardCharsets.UTF_8);
                String value = buffer.toString(valueAt + 2, valueLength - 2, StandardCharsets.UTF_8);
                switch (name) {
                    case ":message-type" -> messageType = value;
                    case ":event-type" -> eventType = value;
                    case ":exception-type" -> exceptionType = value;
                    case ":error-code" -> errorCode = value;
                    case ":error-message" -> errorMessage = value;
                    default -> { } // :content-type and others mean nothing to a decoder
                }
            }
            at = valueAt + valueLength;
        }
        return new Headers(messageType, eventType, exceptionType, errorCode, errorMessage);
    }

    private static MalformedStreamException malformedHeaders() {
        return new MalformedStreamException("an event stream message has headers that overrun their section");
    }

    private long crc(int from, int length) {
        var crc = new CRC32();
        crc.update(buffer.nioBuffer(from, length));
        return crc.getValue();
    }

    /** Messages are delivered as soon as they are whole; an incomplete last one is dropped. */
    @Override
    public void finish(Sink sink) {
        // Nothing is ever held back once complete, so the end of the body completes nothing.
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
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
        } else if (consumed > COMPACT_AFTER) {
            ByteBuf tail = alloc.buffer(buffer.readableBytes() + 256);
            tail.writeBytes(buffer, consumed, buffer.readableBytes());
            buffer.release();
            buffer = tail;
        }
    }
}
