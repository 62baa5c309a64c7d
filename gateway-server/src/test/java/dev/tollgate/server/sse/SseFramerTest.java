package dev.tollgate.server.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.spi.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SseFramerTest {
    /** A recorded OpenAI stream, with multi-byte UTF-8 (accents, CJK, emoji) and a comment. */
    private static final String OPENAI = ""
            + ": OPENROUTER PROCESSING\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Héllo wörld 你好 😀\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]\n\n";

    /** Every line-ending style, multi-line data, event and id fields, no space after the colon. */
    private static final String MIXED = ""
            + "event: message_start\r\ndata: {\"a\":1}\r\n\r\n"
            + "event:delta\rid:7\rdata: line one\rdata:line two\r\r"
            + "data: ñ\n\r\n"
            + "retry: 10\ndata\n\n";

    @Test
    void parsesWholeInput() {
        List<Block> blocks = frame(List.of(OPENAI));
        assertThat(blocks).hasSize(5);
        assertThat(blocks.get(0).event()).isNull();
        assertThat(blocks.get(0).raw()).isEqualTo(": OPENROUTER PROCESSING\n\n");
        assertThat(blocks.get(2).event().data()).contains("Héllo wörld 你好 😀");
        assertThat(blocks.get(4).event().data()).isEqualTo("[DONE]");
        assertThat(String.join("", blocks.stream().map(Block::raw).toList())).isEqualTo(OPENAI);
    }

    @Test
    void followsTheFieldRules() {
        List<Block> blocks = frame(List.of(MIXED));
        assertThat(blocks).extracting(Block::event).containsExactly(
                new SseEvent("message_start", "{\"a\":1}", null),
                new SseEvent("delta", "line one\nline two", "7"),
                new SseEvent(null, "ñ", null),
                new SseEvent(null, "", null));
    }

    @Test
    void splitAnywhereGivesIdenticalEvents() {
        var random = new Random(20261127);
        for (String transcript : List.of(OPENAI, MIXED)) {
            List<Block> whole = frame(List.of(transcript));
            byte[] bytes = transcript.getBytes(StandardCharsets.UTF_8);
            for (int round = 0; round < 500; round++) {
                List<byte[]> pieces = new ArrayList<>();
                int at = 0;
                while (at < bytes.length) {
                    int size = 1 + random.nextInt(round % 2 == 0 ? 4 : 40);
                    int end = Math.min(bytes.length, at + size);
                    byte[] piece = new byte[end - at];
                    System.arraycopy(bytes, at, piece, 0, piece.length);
                    pieces.add(piece);
                    at = end;
                }
                assertThat(frameBytes(pieces)).as("round %d", round).isEqualTo(whole);
            }
        }
    }

    @Test
    void dropsAnUnterminatedTailAndKeepsAFinalCr() {
        assertThat(frame(List.of("data: a\n\ndata: b"))).extracting(b -> b.event().data()).containsExactly("a");
        assertThat(frame(List.of("data: a\r", "\r"))).extracting(b -> b.event().data()).containsExactly("a");
    }

    @Test
    void refusesAnEndlessEvent() {
        var framer = new SseFramer(PooledByteBufAllocator.DEFAULT, 1024);
        ByteBuf big = Unpooled.wrappedBuffer(("data: " + "x".repeat(2000)).getBytes(StandardCharsets.US_ASCII));
        try {
            assertThatThrownBy(() -> framer.feed(big, (raw, e) -> raw.release()))
                    .isInstanceOf(SseOverflowException.class);
        } finally {
            big.release();
            framer.close();
        }
    }

    /** Random event streams: every field kind, every line ending, multi-byte text, comments, blank-line runs. */
    @Provide
    Arbitrary<String> streams() {
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.strings().withChars("ab {}\":,[]").ofMaxLength(12),
                Arbitraries.of("é", "你好", "😀", "[DONE]", " lead", ""));
        Arbitrary<String> ending = Arbitraries.of("\n", "\r\n", "\r");
        Arbitrary<String> field = Arbitraries.of("data: ", "data:", "event: ", "id: ", ": ", "retry: ", "data", "x-y: ");
        Arbitrary<String> line = Combinators.combine(field, value, ending).as((f, v, e) -> f + v + e);
        Arbitrary<String> event = Combinators.combine(line.list().ofMinSize(1).ofMaxSize(4), ending)
                .as((lines, e) -> String.join("", lines) + e);
        return event.list().ofMaxSize(12).map(events -> String.join("", events));
    }

    /** Piece sizes to cut a byte stream into; whatever remains after them is one last piece. */
    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(1, 24).list().ofMaxSize(60);
    }

    @Property(tries = 500)
    void randomStreamsSplitAnywhereGiveIdenticalEvents(@ForAll("streams") String transcript,
                                                        @ForAll("cuts") List<Integer> cuts) {
        byte[] bytes = transcript.getBytes(StandardCharsets.UTF_8);
        List<Block> whole = frameBytes(List.of(bytes));
        assertThat(frameBytes(split(bytes, cuts))).isEqualTo(whole);
        // The raw blocks are the stream's own bytes, in order, with nothing added or lost between them.
        assertThat(transcript).startsWith(String.join("", whole.stream().map(Block::raw).toList()));
    }

    @Property(tries = 500)
    void garbageGivesEventsOrACleanOverflow(@ForAll @Size(max = 600) byte[] garbage, @ForAll("cuts") List<Integer> cuts) {
        try {
            frameBytes(split(garbage, cuts), 128);
        } catch (SseOverflowException e) {
            assertThat(garbage.length).isGreaterThan(128);
        }
    }

    private static List<byte[]> split(byte[] bytes, List<Integer> cuts) {
        List<byte[]> pieces = new ArrayList<>();
        int at = 0;
        for (int size : cuts) {
            if (at >= bytes.length) {
                break;
            }
            int end = Math.min(bytes.length, at + size);
            pieces.add(Arrays.copyOfRange(bytes, at, end));
            at = end;
        }
        if (at < bytes.length) {
            pieces.add(Arrays.copyOfRange(bytes, at, bytes.length));
        }
        return pieces;
    }

    private record Block(String raw, SseEvent event) {}

    private static List<Block> frame(List<String> pieces) {
        return frameBytes(pieces.stream().map(p -> p.getBytes(StandardCharsets.UTF_8)).toList());
    }

    private static List<Block> frameBytes(List<byte[]> pieces) {
        return frameBytes(pieces, 1 << 20);
    }

    private static List<Block> frameBytes(List<byte[]> pieces, int maxEventBytes) {
        var framer = new SseFramer(PooledByteBufAllocator.DEFAULT, maxEventBytes);
        var out = new ArrayList<Block>();
        EventFramer.Sink sink = (raw, event) -> {
            out.add(new Block(raw.toString(StandardCharsets.UTF_8), event));
            raw.release();
        };
        try {
            for (byte[] piece : pieces) {
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(piece.length);
                buf.writeBytes(piece);
                try {
                    framer.feed(buf, sink);
                } finally {
                    buf.release();
                }
            }
            framer.finish(sink);
        } finally {
            framer.close();
        }
        return out;
    }
}
