package dev.tollgate.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonLineTest {
    @Test
    void escapesWhatJsonRequiresAndKeepsTheRest() throws Exception {
        String nasty = "a\"b\\c\nd\re\tf\u0001g\u2028h é 你好 😀";
        String line = new JsonLine().field("s", nasty).field("n", 42).field("b", true).field("z", (String) null)
                .millis("ms", 1_234_567).millis("none", -1).toString();
        assertThat(line).doesNotContain("\n").doesNotContain("\u2028");
        var tree = new ObjectMapper().readTree(line);
        assertThat(tree.get("s").asText()).isEqualTo(nasty);
        assertThat(tree.get("n").asLong()).isEqualTo(42);
        assertThat(tree.get("z").isNull()).isTrue();
        assertThat(tree.get("ms").decimalValue()).isEqualByComparingTo("1.234");
        assertThat(tree.get("none").asInt()).isEqualTo(-1);
    }

    @Test
    void everyStringRoundTrips() throws Exception {
        var random = new Random(11);
        var mapper = new ObjectMapper();
        for (int i = 0; i < 2_000; i++) {
            var s = new StringBuilder();
            for (int j = random.nextInt(20); j > 0; j--) {
                s.append((char) random.nextInt(0xD800)); // any BMP char below the surrogates
            }
            String line = new JsonLine().field("v", s.toString()).toString();
            assertThat(mapper.readTree(line).get("v").asText()).isEqualTo(s.toString());
        }
    }

    /** toString closes a copy of the line: it can be called again, and fields can still follow. */
    @Test
    void renderingLeavesTheLineOpen() {
        JsonLine line = new JsonLine().field("a", 1);
        assertThat(line.toString()).isEqualTo("{\"a\":1}").isEqualTo(line.toString());
        assertThat(line.field("b", "x").toString()).isEqualTo("{\"a\":1,\"b\":\"x\"}");
    }

    /** Names are copied unchecked, so a name that would need escaping is a programming error (tests run with -ea). */
    @Test
    void aNameThatNeedsEscapingIsRefused() {
        assertThatThrownBy(() -> new JsonLine().field("a\"b", 1)).isInstanceOf(AssertionError.class);
    }
}
