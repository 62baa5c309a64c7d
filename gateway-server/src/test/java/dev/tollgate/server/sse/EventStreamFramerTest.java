package dev.tollgate.server.sse;

import static dev.tollgate.server.testing.EventStreamWriter.concat;
import static dev.tollgate.server.testing.EventStreamWriter.crc;
import static dev.tollgate.server.testing.EventStreamWriter.event;
import static dev.tollgate.server.testing.EventStreamWriter.exception;
import static dev.tollgate.server.testing.EventStreamWriter.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.server.testing.EventStreamWriter.H;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventStreamFramerTest {

    /** A ConverseStream reply as Bedrock sends it (payloads padded with {@code p}), with multi-byte UTF-8. */
    private static final byte[] CONVERSE = concat(
            event("messageStart", "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR\",\"role\":\"assistant\"}"),
            event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Héllo wörld 你好 😀\"},\"p\":\"abcd\"}"),
            event("contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"abcdefghijk\"}"),
            event("messageStop", "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEF\",\"stopReason\":\"end_turn\"}"),
            event("metadata", "{\"metrics\":{\"latencyMs\":412},\"p\":\"ab\",\"usage\":{\"inputTokens\":12,\"outputTokens\":7,\"totalTokens\":19}}"));

    private static final byte[] FAILURES = concat(
            exception("throttlingException", "{\"message\":\"Too many requests, please wait before trying again.\"}"),
            message(List.of(H.string(":message-type", "error"), H.string(":error-code", "InternalFailure"),
                    H.string(":error-message", "We encountered an internal error.")), ""),
            message(List.of(H.string(":message-type", "error"), H.string(":error-code", "BadThing")),
                    "{\"message\":\"payload wins\"}"));

    // ---- running the framer ----

    private record Block(byte[] raw, SseEvent event) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Block b && Arrays.equals(raw, b.raw) && Objects.equals(event, b.event);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(raw);
        }

        @Override
        public String toString() {
            return event + " (" + raw.length + " bytes)";
        }
    }

    private static List<Block> frame(byte[] bytes) {
        return frame(List.of(bytes), 1 << 20);
    }

    private static List<Block> frame(List<byte[]> pieces, int limit) {
        var framer = new EventStreamFramer(PooledByteBufAllocator.DEFAULT, limit);
        var out = new ArrayList<Block>();
        EventFramer.Sink sink = (raw, event) -> {
            out.add(new Block(ByteBufUtil.getBytes(raw), event));
            raw.release();
        };
        try {
            for (byte[] piece : pieces) {
                feed(framer, piece, sink);
            }
            framer.finish(sink);
        } finally {
            framer.close();
        }
        return out;
    }

    /**
     * Input arrives in untracked heap buffers: what must not leak is the framer's own pooled buffer and the slices it
     * hands out, and tracking thousands of one-byte chunks under paranoid leak detection would only slow the run.
     */
    private static void feed(EventStreamFramer framer, byte[] piece, EventFramer.Sink sink) {
        ByteBuf buf = Unpooled.wrappedBuffer(piece);
        try {
            framer.feed(buf, sink);
        } finally {
            buf.release();
        }
    }

    private static List<byte[]> split(byte[] bytes, Random random, int maxPiece) {
        var pieces = new ArrayList<byte[]>();
        int at = 0;
        while (at < bytes.length) {
            int end = Math.min(bytes.length, at + 1 + random.nextInt(maxPiece));
            pieces.add(Arrays.copyOfRange(bytes, at, end));
            at = end;
        }
        return pieces;
    }

    /** Feeds {@code bytes} and expects {@code type}, closing the framer (and so freeing its buffer) either way. */
    private static void assertRefused(byte[] bytes, int limit, Class<? extends RuntimeException> type, String message) {
        var framer = new EventStreamFramer(PooledByteBufAllocator.DEFAULT, limit);
        try {
            assertThatThrownBy(() -> feed(framer, bytes, (raw, e) -> raw.release()))
                    .isInstanceOf(type).hasMessageContaining(message);
        } finally {
            framer.close();
        }
    }

    // ---- the tests ----

    @Test
    void namesEachMessageByItsEventType() {
        List<Block> blocks = frame(CONVERSE);
        assertThat(blocks).extracting(b -> b.event().event())
                .containsExactly("messageStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata");
        assertThat(blocks.get(1).event().data()).contains("Héllo wörld 你好 😀");
        assertThat(blocks.get(3).event()).isEqualTo(new SseEvent("messageStop",
                "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEF\",\"stopReason\":\"end_turn\"}", null));
        byte[] joined = concat(blocks.stream().map(Block::raw).toArray(byte[][]::new));
        assertThat(joined).as("raw bytes are the messages exactly").isEqualTo(CONVERSE);
    }

    @Test
    void namesExceptionsAndErrors() {
        assertThat(frame(FAILURES)).extracting(Block::event).containsExactly(
                new SseEvent("exception:throttlingException",
                        "{\"message\":\"Too many requests, please wait before trying again.\"}", null),
                new SseEvent("error:InternalFailure", "We encountered an internal error.", null),
                new SseEvent("error:BadThing", "{\"message\":\"payload wins\"}", null));
    }

    @Test
    void messagesOfUnknownTypeOrWithoutAnEventTypeCarryNoEvent() {
        byte[] unknown = message(List.of(H.string(":message-type", "ping")), "{}");
        byte[] untyped = message(List.of(H.string(":message-type", "event")), "{}");
        byte[] bare = message(List.of(), "");
        List<Block> blocks = frame(concat(unknown, untyped, bare));
        assertThat(blocks).extracting(Block::event).containsExactly(null, null, null);
        assertThat(blocks.get(2).raw()).hasSize(EventStreamFramer.MIN_MESSAGE_BYTES);
    }

    @Test
    void readsPastEveryHeaderType() {
        List<H> headers = List.of(
                H.bool("t", true), H.bool("f", false), H.number("byte", 2, 1, -7), H.number("short", 3, 2, 4242),
                H.number("int", 4, 4, 123_456_789), H.number("long", 5, 8, Long.MIN_VALUE),
                H.bytes("bytes", new byte[] {0, 7, (byte) 0xff, ':', 'e'}), H.string("string", "ünïcödé"),
                H.number("timestamp", 8, 8, 1_741_608_000_000L),
                new H("uuid", 9, ByteBuffer.allocate(16).putLong(0x0123456789abcdefL).putLong(-2).array()));
        var before = new ArrayList<>(headers);
        before.add(H.string(":event-type", "contentBlockDelta"));
        before.add(H.string(":message-type", "event"));
        var after = new ArrayList<H>();
        after.add(H.string(":message-type", "event"));
        after.add(H.string(":event-type", "messageStop"));
        after.addAll(headers);
        List<Block> blocks = frame(concat(message(before, "{\"a\":1}"), message(after, "{\"b\":2}")));
        assertThat(blocks).extracting(Block::event).containsExactly(
                new SseEvent("contentBlockDelta", "{\"a\":1}", null), new SseEvent("messageStop", "{\"b\":2}", null));
    }

    @Test
    void splitAnywhereGivesIdenticalEvents() {
        var random = new Random(20261127);
        for (byte[] transcript : List.of(CONVERSE, FAILURES, concat(CONVERSE, FAILURES, CONVERSE))) {
            List<Block> whole = frame(transcript);
            for (int round = 0; round < 400; round++) {
                int maxPiece = switch (round % 4) {
                    case 0 -> 1;
                    case 1 -> 5;
                    case 2 -> 40;
                    default -> 300;
                };
                assertThat(frame(split(transcript, random, maxPiece), 1 << 20)).as("round %d", round).isEqualTo(whole);
            }
        }
    }

    @Test
    void slicesHandedOutKeepTheirBytesWhileMoreArrives() {
        // Far more than the compaction threshold, so the framer replaces its buffer while slices are outstanding.
        var messages = new ArrayList<byte[]>();
        for (int i = 0; i < 300; i++) {
            messages.add(event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"piece " + i + " "
                    + "x".repeat(i % 97) + "\"}}"));
        }
        byte[] all = concat(messages.toArray(byte[][]::new));
        var framer = new EventStreamFramer(PooledByteBufAllocator.DEFAULT, 1 << 20);
        var held = new ArrayList<ByteBuf>();
        try {
            for (byte[] piece : split(all, new Random(7), 700)) {
                feed(framer, piece, (raw, event) -> held.add(raw));
            }
            assertThat(held).hasSize(messages.size());
            for (int i = 0; i < held.size(); i++) {
                assertThat(ByteBufUtil.getBytes(held.get(i))).as("message %d", i).isEqualTo(messages.get(i));
            }
        } finally {
            held.forEach(ByteBuf::release);
            framer.close();
        }
    }

    @Test
    void dropsAnIncompleteLastMessage() {
        byte[] second = event("messageStop", "{\"stopReason\":\"end_turn\"}");
        byte[] cut = concat(event("messageStart", "{\"role\":\"assistant\"}"), Arrays.copyOf(second, second.length - 1));
        assertThat(frame(cut)).extracting(b -> b.event().event()).containsExactly("messageStart");
        // Cut inside the prelude as well.
        assertThat(frame(Arrays.copyOf(second, 5))).isEmpty();
    }

    @Test
    void refusesACorruptPreludeChecksum() {
        byte[] bytes = event("messageStart", "{}");
        bytes[9] ^= 0x01;
        assertRefused(bytes, 1 << 20, MalformedStreamException.class, "prelude failed its checksum");
    }

    @Test
    void refusesACorruptMessageChecksum() {
        byte[] bytes = event("messageStart", "{\"role\":\"assistant\"}");
        bytes[bytes.length - 6] ^= 0x20; // a payload byte: the prelude still checks out
        assertRefused(bytes, 1 << 20, MalformedStreamException.class, "message failed its checksum");
    }

    @Test
    void refusesImpossibleLengths() {
        assertRefused(prelude(15, 0), 1 << 20, MalformedStreamException.class, "impossible lengths");
        assertRefused(prelude(40, 25), 1 << 20, MalformedStreamException.class, "impossible lengths");
        assertRefused(prelude(0xffffffffL, 0), 1 << 20, SseOverflowException.class, "exceeded");
    }

    /** A prelude with a valid checksum over the given lengths. */
    private static byte[] prelude(long total, long headers) {
        ByteBuffer out = ByteBuffer.allocate(12).putInt((int) total).putInt((int) headers);
        return out.putInt((int) crc(out.array(), 0, 8)).array();
    }

    @Test
    void refusesHeadersThatOverrunTheirSection() {
        // A string header claiming more bytes than the headers section holds, with valid checksums throughout.
        byte[] overrun = message(List.of(new H(":event-type", 7, new byte[] {0, 100, 'x'})), "{}");
        assertRefused(overrun, 1 << 20, MalformedStreamException.class, "overrun");
        byte[] unknownType = message(List.of(new H("odd", 12, new byte[0])), "{}");
        assertRefused(unknownType, 1 << 20, MalformedStreamException.class, "unknown type 12");
    }

    @Test
    void refusesAnOversizedMessageAsSoonAsItsPreludeArrives() {
        byte[] big = event("contentBlockDelta", "{\"delta\":{\"text\":\"" + "x".repeat(2000) + "\"}}");
        // Only the prelude is fed: the framer must not wait for (and buffer) the rest.
        assertRefused(Arrays.copyOf(big, 12), 1024, SseOverflowException.class, "1024");
        assertThat(frame(List.of(big), big.length)).hasSize(1);
    }
}
