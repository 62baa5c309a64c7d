package dev.tollgate.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The reader against RFC 8259: what it accepts, what it refuses, and hostile texts it stays linear on. */
class StrictJsonTest {

    @Test
    void stringEscapesDecode() {
        Map<String, String> decoded = Map.of(
                "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t",
                "\"\\u0041\\u00e9\\u00E9\"", "A\u00e9\u00e9",
                "\"\\uD83D\\uDE00\"", "\uD83D\uDE00",
                "\"\\ud83d\\ude00 ok\"", "\uD83D\uDE00 ok",
                "\"\uD83D\uDE00\"", "\uD83D\uDE00",
                "\"\\u0000\"", "\u0000");
        decoded.forEach((json, text) -> assertThat(StrictJson.parse(json)).as(json).isEqualTo(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // Character.digit reads Arabic-Indic and full-width digits and letters: JSON's hex digits are ASCII.
        "\"\\u\u0660\u0660\u0664\u0661\"", "\"\\u\uFF10\uFF10\uFF14\uFF21\"", "\"\\u00g1\"", "\"\\u12\"",
        // A surrogate escape that is not one half of a pair decodes to no character at all.
        "\"\\uD83D\"", "\"\\uDE00\"", "\"\\uDE00\\uD83D\"", "\"\\uD83Dx\"", "\"\\uD83D\\u0041\"", "\"a\uD83D\"",
        "\"\uDE00\"",
    })
    void badEscapesAndLoneSurrogatesAreRefused(String json) {
        assertThatThrownBy(() -> StrictJson.parse(json)).as(json).isInstanceOf(StrictJson.Malformed.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0       | 0", "-0 | 0", "-0.0 | 0", "1e5 | 100000", "1E+2 | 100", "2e-1 | 0.2", "-12.50 | -12.5",
        "1E400   | 1E400",
    })
    void numbersReadAsTheirValue(String json, String expected) {
        assertThat((BigDecimal) StrictJson.parse(json)).isEqualByComparingTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "-", "+1", ".5", "5.", "1e", "1e+", "0x10", "1_000", "--1", "NaN", "Infinity",
        "1e9999999999", "1000000000000000000000000000000000000000000000000000000000000"})
    void nonNumbersAreRefused(String json) {
        assertThatThrownBy(() -> StrictJson.parse(json)).as(json).isInstanceOf(StrictJson.Malformed.class);
    }

    @Test
    void onlyJsonWhiteSpaceSurroundsTheValue() {
        assertThat(StrictJson.parse(" \t\r\n[ 1 ,\n2 ]\r\n ")).isEqualTo(List.of(BigDecimal.ONE, BigDecimal.TWO));
        for (String space : List.of("\u00a0", "\u2028", "\u000b", "\u000c", "\u3000", "\uFEFF")) {
            assertThatThrownBy(() -> StrictJson.parse(space + "1")).isInstanceOf(StrictJson.Malformed.class);
            assertThatThrownBy(() -> StrictJson.parse("[1," + space + "2]")).isInstanceOf(StrictJson.Malformed.class);
        }
    }

    @Test
    void valuesNestUpToTheBound() {
        int depth = StrictJson.MAX_DEPTH;
        Object value = StrictJson.parse("[".repeat(depth + 1) + "]".repeat(depth + 1));
        for (int i = 0; i < depth; i++) {
            value = ((List<?>) value).getFirst();
        }
        assertThat(value).isEqualTo(List.of());
        assertThatThrownBy(() -> StrictJson.parse("[".repeat(depth + 2) + "]".repeat(depth + 2)))
                .hasMessageContaining("nested deeper");
    }

    @Test
    void objectsKeepTheirOrderAndRefuseRepeatsHoweverSpelled() {
        assertThat(StrictJson.parse("{\"b\":true,\"a\":null,\"c\":false}")).isInstanceOfSatisfying(Map.class,
                m -> assertThat(m.keySet()).containsExactly("b", "a", "c"));
        assertThatThrownBy(() -> StrictJson.parse("{\"score\":1,\"sc\\u006fre\":2}"))
                .hasMessageContaining("repeats");
    }

    /**
     * A megabyte of each hostile pattern reads (or fails) in about the time of a scan: never an exception other than
     * the reader's own, never a stack overflow, never a quadratic pass.
     */
    @Test
    void hostileMegabytesStayLinear() {
        int size = 1 << 20;
        List<String> patterns = List.of("[", "{", "\"\\", "\\\"", "{\"a\":", "[1,", "{\"score\":[", "\"", "1",
                "\\u", "```", "{\"score\":4,\"reason\":\"", "\uD83D", "\uDE00");
        long started = System.nanoTime();
        for (String pattern : patterns) {
            String hostile = pattern.repeat(size / pattern.length());
            for (String reply : List.of(hostile, "{" + hostile, "{\"score\":" + hostile, "```json\n" + hostile,
                    "{\"score\":4,\"reason\":\"" + hostile + "\"}")) {
                // A reason of the pattern may read; what matters is that every reply returns.
                assertThat(Judgement.read(reply)).isNotNull();
            }
        }
        // Dozens of megabytes: seconds only when some pass is worse than linear.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aLongValidReasonStillReads() {
        char[] words = new char[1 << 20];
        Arrays.fill(words, 'a');
        String reply = "{\"score\": 2, \"reason\": \"" + new String(words) + "\"}";
        assertThat(Judgement.read(reply)).isInstanceOfSatisfying(Judgement.Scored.class,
                s -> assertThat(s.reason()).hasSize(EvaluationResult.MAX_RATIONALE));
    }
}
