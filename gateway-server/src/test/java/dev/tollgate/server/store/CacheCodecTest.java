package dev.tollgate.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CacheCodecTest {
    private static final long SEED = 20_300_107L;
    /** Letters, CJK, emoji (surrogate pairs), a lone surrogate, JSON's specials and control characters. */
    private static final String[] PIECES = {
        "a", "Z", " ", "é", "ß", "中文", "日本語", "😀", "👩‍💻", "\uD800", "\uDFFF", "\"", "\\", "/", "\n", "\t",
        "\u0000", "\u001F", "\u2028", "{", "}", ":", ",", "null", "0"};

    @Test
    void everyAnswerRoundTripsExactlyAndEncodesTheSameWayTwice() {
        Random random = new Random(SEED);
        int compressed = 0;
        for (int i = 0; i < 1_000; i++) {
            CacheCodec.Stored stored = randomStored(random);
            byte[] value = CacheCodec.encode(stored);
            CacheCodec.Stored back = CacheCodec.decode(value);
            assertThat(back).as("answer %d of seed %d", i, SEED).isEqualTo(stored);
            assertThat(CacheCodec.encode(back)).as("canonical bytes, answer %d", i).isEqualTo(value);
            compressed += (value[0] & 0x80) != 0 ? 1 : 0;
        }
        assertThat(compressed).as("large answers drawn").isBetween(50, 950);
    }

    @Test
    void aSmallAnswerIsShortPlainJsonWithoutDefaults() {
        var response = new ChatResponse("", "", 0, List.of(new Part.Text("hi")), FinishReason.STOP,
                Usage.reported(3, 1));
        byte[] value = CacheCodec.encode(new CacheCodec.Stored(response, Money.ZERO, 1_700_000_000_000L, 60_000));

        assertThat(value[0]).isEqualTo((byte) CacheCodec.VERSION);
        assertThat(new String(value, 1, value.length - 1, UTF_8))
                .isEqualTo("{\"t\":1700000000000,\"l\":60000,\"o\":[\"hi\"],\"u\":{\"i\":3,\"o\":1}}");
    }

    @Test
    void everyFieldIsWrittenWhenItIsNotItsDefault() {
        var response = new ChatResponse("id-1", "gpt", 17, List.of(new Part.ToolCall("c1", "f", "{}"),
                new Part.Image("u", null), new Part.ToolResult("c1", "r")), FinishReason.TOOL_CALLS,
                new Usage(1, 2, 3, 4, 5, false));
        byte[] value = CacheCodec.encode(new CacheCodec.Stored(response, new Money(42), 5, 6));

        assertThat(new String(value, 1, value.length - 1, UTF_8)).isEqualTo("{\"t\":5,\"l\":6,\"i\":\"id-1\","
                + "\"m\":\"gpt\",\"c\":17,\"o\":[{\"call\":\"c1\",\"n\":\"f\",\"a\":\"{}\"},{\"img\":\"u\"},"
                + "{\"res\":\"c1\",\"c\":\"r\"}],\"f\":\"tool_calls\","
                + "\"u\":{\"i\":1,\"o\":2,\"ci\":3,\"cw\":4,\"r\":5,\"e\":true},\"$\":42}");
    }

    @Test
    void jsonAboveOneKibibyteIsCompressed() throws IOException {
        String text = "The same sentence, over and over. ".repeat(100);
        var response = new ChatResponse("id", "m", 1, List.of(new Part.Text(text)), FinishReason.STOP,
                Usage.reported(10, 900));
        byte[] value = CacheCodec.encode(new CacheCodec.Stored(response, new Money(1), 2, 3));

        assertThat(value[0] & 0xFF).isEqualTo(0x80 | CacheCodec.VERSION);
        assertThat(value.length).isLessThan(text.length() / 4);
        try (var gzip = new GZIPInputStream(new ByteArrayInputStream(value, 1, value.length - 1))) {
            assertThat(new String(gzip.readAllBytes(), UTF_8)).startsWith("{\"t\":2,\"l\":3,").contains(text);
        }
    }

    @Test
    void jsonOfExactlyOneKibibyteStaysPlain() {
        String shell = "{\"t\":2,\"l\":3,\"o\":[\"\"]}";
        String text = "x".repeat(CacheCodec.COMPRESS_ABOVE - shell.length());
        var response = new ChatResponse("", "", 0, List.of(new Part.Text(text)), FinishReason.STOP, Usage.UNKNOWN);

        byte[] atLimit = CacheCodec.encode(new CacheCodec.Stored(response, Money.ZERO, 2, 3));
        assertThat(atLimit).hasSize(CacheCodec.COMPRESS_ABOVE + 1);
        assertThat(atLimit[0]).isEqualTo((byte) CacheCodec.VERSION);

        var longer = new ChatResponse("", "", 0, List.of(new Part.Text(text + "x")), FinishReason.STOP,
                Usage.UNKNOWN);
        assertThat(CacheCodec.encode(new CacheCodec.Stored(longer, Money.ZERO, 2, 3))[0] & 0x80).isNotZero();
    }

    /** Values as a tag byte (-1: none) and the text after it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            foreign JSON                | -1   | {"a":1}                                | format version 123
            a newer format version      | 2    | {"t":1,"l":1}                          | format version 2
            marked compressed, plain    | 129  | {"t":1,"l":1}                          | not valid gzip
            not JSON                    | 1    | hello                                  | not valid JSON
            truncated JSON              | 1    | {"t":1,"l":1                           | not valid JSON
            trailing bytes              | 1    | {"t":1,"l":1} {}                       | not valid JSON
            a duplicate member          | 1    | {"t":1,"t":2,"l":1}                    | not valid JSON
            not an object               | 1    | [1,2]                                  | the entry is not an object
            an unknown member           | 1    | {"t":1,"l":1,"x":0}                    | unknown member "x"
            no stored time              | 1    | {"l":1}                                | "t" is missing
            no ttl                      | 1    | {"t":1}                                | "l" is missing
            a zero ttl                  | 1    | {"t":1,"l":0}                          | positive ttl
            a fractional time           | 1    | {"t":1.5,"l":1}                        | "t" is not a whole number
            a number out of range       | 1    | {"t":1e30,"l":1}                       | "t" is not a whole number
            an id that is a number      | 1    | {"t":1,"l":1,"i":7}                    | "i" is not a string
            output not an array         | 1    | {"t":1,"l":1,"o":"x"}                  | "o" is not an array
            a part of unknown kind      | 1    | {"t":1,"l":1,"o":[{"z":1}]}            | unknown kind
            a part that is a number     | 1    | {"t":1,"l":1,"o":[1]}                  | neither a string nor an object
            a tool call without a name  | 1    | {"t":1,"l":1,"o":[{"call":"c","a":""}]} | "n" is missing
            a tool call with extras     | 1    | {"t":1,"l":1,"o":[{"call":"c","n":"f","a":"","d":""}]} | a tool call has an unknown member "d"
            an unknown finish reason    | 1    | {"t":1,"l":1,"f":"done"}               | unknown finish reason "done"
            negative tokens             | 1    | {"t":1,"l":1,"u":{"i":-1}}             | cannot be negative
            estimated written as false  | 1    | {"t":1,"l":1,"u":{"e":false}}          | "e" is present but not true
            usage not an object         | 1    | {"t":1,"l":1,"u":3}                    | "u" is not an object
            """)
    void aValueThatIsNotAStoredAnswerIsRejectedWithTheReason(String what, int tag, String body, String reason) {
        byte[] text = body.getBytes(UTF_8);
        byte[] value = tag < 0 ? text : new byte[text.length + 1];
        if (tag >= 0) {
            value[0] = (byte) tag;
            System.arraycopy(text, 0, value, 1, text.length);
        }
        assertThatThrownBy(() -> CacheCodec.decode(value))
                .as(what)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cached value")
                .hasMessageContaining(reason);
    }

    @Test
    void anEmptyOrTruncatedValueIsRejected() {
        assertThatThrownBy(() -> CacheCodec.decode(new byte[0])).hasMessage("cached value is empty");
        var response = new ChatResponse("id", "m", 1, List.of(new Part.Text("y".repeat(5_000))), FinishReason.STOP,
                Usage.UNKNOWN);
        byte[] value = CacheCodec.encode(new CacheCodec.Stored(response, Money.ZERO, 1, 1));
        assertThatThrownBy(() -> CacheCodec.decode(Arrays.copyOf(value, value.length - 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid gzip");
    }

    @Test
    void randomBytesAndDamagedValuesNeverDecodeToSomethingElseOrFailOtherwise() {
        Random random = new Random(SEED);
        for (int i = 0; i < 5_000; i++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            assertRejectedOrUnchanged(garbage, null);
        }
        for (int i = 0; i < 1_000; i++) {
            CacheCodec.Stored stored = randomStored(random);
            byte[] value = CacheCodec.encode(stored);
            value[random.nextInt(value.length)] ^= (byte) (1 + random.nextInt(255));
            assertRejectedOrUnchanged(value, stored);
        }
    }

    /**
     * A flipped byte may still read (inside a text, say): then it must read as a valid answer, and the only
     * failure allowed is the codec's own rejection.
     */
    private static void assertRejectedOrUnchanged(byte[] value, CacheCodec.Stored original) {
        try {
            CacheCodec.Stored read = CacheCodec.decode(value);
            assertThat(read.ttlMillis()).isPositive();
            if (original != null && (value[0] & 0x80) != 0) {
                // gzip's CRC covers every inflated byte: a damaged compressed value never reads
                assertThat(read).isEqualTo(original);
            }
        } catch (IllegalArgumentException expected) {
            assertThat(expected).hasMessageStartingWith("cached value");
        }
    }

    private static CacheCodec.Stored randomStored(Random random) {
        List<Part> output = new ArrayList<>();
        int parts = random.nextInt(5); // zero: an empty output
        for (int p = 0; p < parts; p++) {
            output.add(switch (random.nextInt(4)) {
                case 0 -> new Part.Text(text(random));
                case 1 -> new Part.ToolCall(text(random), text(random), "{\"q\":" + quoted(text(random)) + "}");
                case 2 -> new Part.Image("https://example.test/" + text(random),
                        random.nextBoolean() ? null : text(random));
                default -> new Part.ToolResult(text(random), text(random));
            });
        }
        Usage usage = random.nextInt(4) == 0 ? Usage.UNKNOWN : new Usage(count(random), count(random),
                count(random), count(random), count(random), random.nextBoolean());
        var response = new ChatResponse(random.nextBoolean() ? "" : text(random),
                random.nextBoolean() ? "" : text(random), random.nextBoolean() ? 0 : random.nextLong(),
                output, FinishReason.values()[random.nextInt(FinishReason.values().length)], usage);
        Money cost = new Money(random.nextBoolean() ? 0 : random.nextLong());
        return new CacheCodec.Stored(response, cost, random.nextLong(),
                1 + (random.nextLong() & Long.MAX_VALUE) % Long.MAX_VALUE);
    }

    /** Mostly short; one in eight large (1 to 15 KiB), enough to be compressed on its own. */
    private static String text(Random random) {
        int pieces = random.nextInt(8) == 0 ? 500 + random.nextInt(4_000) : random.nextInt(12);
        var b = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            b.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return b.toString();
    }

    private static long count(Random random) {
        return random.nextBoolean() ? 0 : random.nextLong() & Long.MAX_VALUE;
    }

    private static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
