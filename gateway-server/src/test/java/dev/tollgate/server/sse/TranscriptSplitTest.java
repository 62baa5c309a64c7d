package dev.tollgate.server.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.providers.anthropic.AnthropicAdapter;
import dev.tollgate.providers.azure.AzureOpenAiAdapter;
import dev.tollgate.providers.bedrock.BedrockAdapter;
import dev.tollgate.providers.gemini.GeminiAdapter;
import dev.tollgate.providers.openai.OpenAiAdapter;
import dev.tollgate.server.testing.EventStreamWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every provider's recorded stream transcript (the providers module's fixtures), as bytes on the wire split at
 * random boundaries (inside events, lines and multi-byte characters), through the gateway's framing and the
 * provider's decoder: the canonical events must be exactly the transcript's expected ones, however it was cut.
 * Bedrock transcripts are written as SSE text for readability and sent here in AWS's binary event stream.
 */
class TranscriptSplitTest {
    private static final Path FIXTURES = Path.of("../providers/src/test/resources/fixtures");
    /**
     * Buffer safety of the framers is tested on their own under paranoid leak detection; here thousands of tiny
     * pieces are about decoding, so their buffers skip the (very slow) per-access leak records.
     */
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1741608000), ZoneOffset.UTC);
    private static final Map<String, ProviderAdapter> ADAPTERS = Map.of(
            "openai", new OpenAiAdapter(CLOCK),
            "azure", new AzureOpenAiAdapter(CLOCK),
            "anthropic", new AnthropicAdapter(CLOCK),
            "gemini", new GeminiAdapter(CLOCK),
            "bedrock", new BedrockAdapter(CLOCK));

    @TestFactory
    Stream<DynamicTest> everyTranscriptDecodesTheSameHoweverItIsSplit() throws IOException {
        var tests = new ArrayList<DynamicTest>();
        for (var entry : ADAPTERS.entrySet()) {
            try (Stream<Path> files = Files.list(FIXTURES.resolve(entry.getKey()))) {
                for (Path sse : files.filter(p -> p.toString().endsWith(".sse")).sorted().toList()) {
                    Path events = Path.of(sse.toString().replaceAll("\\.sse$", ".events"));
                    if (Files.exists(events)) {
                        tests.add(dynamicTest(entry.getKey() + "/" + sse.getFileName(),
                                () -> check(entry.getKey(), entry.getValue(), sse, events)));
                    }
                }
            }
        }
        assertThat(tests).hasSizeGreaterThan(25);
        return tests.stream();
    }

    private static void check(String provider, ProviderAdapter adapter, Path sse, Path events) throws IOException {
        String text = Files.readString(sse, StandardCharsets.UTF_8);
        List<String> expected = Files.readAllLines(events, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList();
        boolean binary = provider.equals("bedrock");
        byte[] wire = binary ? eventStream(text) : text.getBytes(StandardCharsets.UTF_8);
        Supplier<EventFramer> framer = () -> binary
                ? new EventStreamFramer(ALLOC, 1 << 20)
                : new SseFramer(ALLOC, 1 << 20);
        var random = new Random(sse.getFileName().toString().hashCode());
        for (int round = 0; round < 40; round++) {
            int maxPiece = round == 0 ? wire.length : 1 + random.nextInt(round % 3 == 0 ? 3 : 64);
            List<String> decoded = decode(adapter.streamDecoder(), framer.get(), wire, random, maxPiece);
            assertThat(decoded).as("round %d, pieces up to %d bytes", round, maxPiece).isEqualTo(expected);
        }
    }

    private static List<String> decode(StreamDecoder decoder, EventFramer framer, byte[] wire, Random random,
                                       int maxPiece) {
        var out = new ArrayList<String>();
        EventFramer.Sink sink = (raw, event) -> {
            raw.release();
            if (event != null) {
                decoder.onEvent(event).forEach(e -> out.add(e.toString()));
            }
        };
        try {
            for (int at = 0; at < wire.length; ) {
                int size = Math.min(wire.length - at, 1 + random.nextInt(maxPiece));
                ByteBuf piece = ALLOC.heapBuffer(size).writeBytes(wire, at, size);
                try {
                    framer.feed(piece, sink);
                } finally {
                    piece.release();
                }
                at += size;
            }
            framer.finish(sink);
        } finally {
            framer.close();
        }
        for (StreamEvent e : decoder.onComplete()) {
            out.add(e.toString());
        }
        return out;
    }

    /** The transcript's {@code event:}/{@code data:} blocks as AWS event-stream messages. */
    private static byte[] eventStream(String text) {
        var out = new ByteArrayOutputStream();
        for (String block : text.split("\n\n")) {
            String type = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            if (type == null || data == null) {
                continue;
            }
            out.writeBytes(type.startsWith("exception:")
                    ? EventStreamWriter.exception(type.substring("exception:".length()), data)
                    : EventStreamWriter.event(type, data));
        }
        return out.toByteArray();
    }
}
