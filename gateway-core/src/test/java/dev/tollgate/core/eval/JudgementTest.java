package dev.tollgate.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Judge replies as real judges wrote them (test resources under {@code judge-replies/}), and fuzzed ones. */
class JudgementTest {

    static String recorded(String name) {
        try (InputStream in = JudgementTest.class.getResourceAsStream("judge-replies/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "valid-plain.txt       | 4 | The answer matches the context except for the delivery date, which it states without support.",
        "valid-pretty.txt      | 2 | The answer invents a refund policy that the system prompt never mentions.",
        "fenced-json.txt       | 5 | Every claim is backed by the provided order history.",
        "fenced-bare.txt       | 1 | The answer contradicts the context on the main point.",
        "score-as-float.txt    | 3 | Mostly supported, but the price quoted is not in the context.",
        "unicode-reason.txt    | 5 | Polite and respectful \u2014 no insults \uD83D\uDE42",
    })
    void validRepliesScore(String file, int points, String reason) {
        Judgement judgement = Judgement.read(recorded(file));
        assertThat(judgement).isEqualTo(new Judgement.Scored(points, (points - 1) / 4.0, reason));
    }

    @Test
    void aReasonIsOptional() {
        assertThat(Judgement.read(recorded("no-reason.txt"))).isEqualTo(Judgement.Scored.of(5, null));
        assertThat(Judgement.read("{\"score\":2,\"reason\":\"   \"}")).isEqualTo(Judgement.Scored.of(2, null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "prose-before.txt       | text before the JSON object",
        "prose-after.txt        | text after the JSON value",
        "two-objects.txt        | text after the JSON value",
        "truncated.txt          | the JSON ends early",
        "out-of-range-high.txt  | not a whole number from 1 to 5",
        "out-of-range-zero.txt  | not a whole number from 1 to 5",
        "half-point.txt         | not a whole number from 1 to 5",
        "string-score.txt       | the score is not a number",
        "null-score.txt         | the score is not a number",
        "extra-key.txt          | a member other than score and reason: \"confidence\"",
        "duplicate-key.txt      | a member name repeats",
        "single-quotes.txt      | an unexpected character at offset 1",
        "trailing-comma.txt     | an unexpected character",
        "no-score.txt           | no score",
        "prose-only.txt         | no JSON object in the reply",
        "fenced-python.txt      | a code fence",
        "empty.txt              | the reply is empty",
    })
    void malformedRepliesAreUnparseableNeverGuessed(String file, String detail) {
        Judgement judgement = Judgement.read(recorded(file));
        assertThat(judgement).isInstanceOfSatisfying(Judgement.Unparseable.class,
                u -> assertThat(u.detail()).contains(detail));
    }

    @ParameterizedTest
    @ValueSource(strings = {"refusal-cant.txt", "refusal-sorry.txt", "refusal-as-an-ai.txt",
        "refusal-curly-apostrophe.txt", "refusal-cannot.txt"})
    void refusalsAreCountedAsRefusals(String file) {
        String reply = recorded(file);
        assertThat(Judgement.read(reply)).isInstanceOfSatisfying(Judgement.Refused.class,
                r -> assertThat(r.detail()).startsWith("refusal: \"" + reply.strip().substring(0, 10)));
    }

    @Test
    void aRefusalWithJsonInItIsNotTakenForARefusal() {
        assertThat(Judgement.read("I'm sorry, here it is: {\"score\": 3}")).isInstanceOf(Judgement.Unparseable.class);
        assertThat(Judgement.read("Sorry for the delay. {\"score\": 3}")).isInstanceOf(Judgement.Unparseable.class);
        // Only the start counts: a verdict that mentions "I cannot" in its reason still reads.
        assertThat(Judgement.read("{\"score\": 3, \"reason\": \"I cannot find the date in the context.\"}"))
                .isEqualTo(Judgement.Scored.of(3, "I cannot find the date in the context."));
    }

    @Test
    void detailsQuoteOnlyAFewDozenCharactersOfTheReply() {
        String secret = "The user's card number is 4111 1111 1111 1111 and the password is hunter2 ".repeat(20);
        for (String reply : List.of(secret, "I'm sorry, " + secret)) {
            Judgement judgement = Judgement.read(reply);
            String detail = judgement instanceof Judgement.Unparseable u ? u.detail() : ((Judgement.Refused) judgement).detail();
            assertThat(detail.length()).isLessThanOrEqualTo(80);
            assertThat(detail).doesNotContain("hunter2");
        }
        String longKey = "{\"" + "k".repeat(500) + "\": 1}";
        assertThat(((Judgement.Unparseable) Judgement.read(longKey)).detail()).hasSizeLessThan(100);
    }

    @Test
    void aLongReasonIsCutToTheRationaleBound() {
        String reason = "x".repeat(EvaluationResult.MAX_RATIONALE + 50);
        Judgement.Scored scored = (Judgement.Scored) Judgement.read("{\"score\":4,\"reason\":\"" + reason + "\"}");
        assertThat(scored.reason()).hasSize(EvaluationResult.MAX_RATIONALE);
        assertThat(scored.score()).isEqualTo(0.75);
    }

    @Test
    void scoresMapOneToFiveOntoZeroToOne() {
        assertThat(List.of(1, 2, 3, 4, 5).stream().map(Judgement.Scored::score).toList())
                .containsExactly(0.0, 0.25, 0.5, 0.75, 1.0);
        assertThatThrownBy(() -> new Judgement.Scored(6, 1.25, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Judgement.Scored(3, 0.9, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"score\": 4e0}        | 4",
        "{\"score\": 40E-1}      | 4",
        "{\"score\": 1.000}      | 1",
        "'  {\"score\":5}  \n'   | 5",
        "'```JSON\n{\"score\":2}\n```' | 2",
    })
    void integralNumbersReadHoweverWritten(String reply, int points) {
        assertThat(Judgement.read(reply)).isEqualTo(Judgement.Scored.of(points, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"score\": -4}", "{\"score\": 04}", "{\"score\": 4.}", "{\"score\": +4}",
        "{\"score\": 1e400}", "{\"score\": 4, \"reason\": 7}", "{\"score\": 4, \"reason\": null}",
        "{\"score\": [4]}", "{\"score\": {\"value\": 4}}", "{\"score\": true}", "[{\"score\": 4}]",
        "```json\n{\"score\": 4}", "```json\n{\"score\": 4}\n```\n```json\n{\"score\": 4}\n```",
        "{\"score\": 4, \"reason\": \"a\tb\"}", "{\"score\": 4, \"reason\": \"bad \\x escape\"}"})
    void nearMissesAreUnparseable(String reply) {
        assertThat(Judgement.read(reply)).as(reply).isInstanceOf(Judgement.Unparseable.class);
    }

    /** Random text built from JSON's own characters, and valid replies mutated: never an exception, never a guess. */
    @Test
    void readingNeverThrows() {
        var random = new Random(12);
        String alphabet = "{}[]\":,.-+eE0123456789 \n\t\\u`scorena tlfI'm";
        List<String> valid = List.of(recorded("valid-plain.txt"), recorded("fenced-json.txt"),
                recorded("valid-pretty.txt"), recorded("unicode-reason.txt"));
        for (int i = 0; i < 20_000; i++) {
            String reply;
            if (i % 2 == 0) {
                var b = new StringBuilder();
                int length = random.nextInt(60);
                for (int j = 0; j < length; j++) {
                    b.append(random.nextInt(10) == 0 ? (char) random.nextInt(0x10000)
                            : alphabet.charAt(random.nextInt(alphabet.length())));
                }
                reply = b.toString();
            } else {
                reply = mutate(valid.get(random.nextInt(valid.size())), random);
            }
            Judgement judgement = Judgement.read(reply);
            switch (judgement) {
                case Judgement.Scored s -> {
                    assertThat(s.points()).as(reply).isBetween(1, 5);
                    assertThat(reply).as("a score comes from a score member").contains("\"score\"");
                }
                case Judgement.Unparseable u -> assertThat(u.detail()).hasSizeBetween(1, EvaluationResult.MAX_DETAIL);
                case Judgement.Refused r -> assertThat(reply).doesNotContain("{");
            }
        }
    }

    @Test
    void deepNestingIsRefusedNotOverflowed() {
        String deep = "{\"score\":" + "[".repeat(100_000);
        assertThat(Judgement.read(deep)).isInstanceOfSatisfying(Judgement.Unparseable.class,
                u -> assertThat(u.detail()).contains("nested deeper"));
    }

    private static String mutate(String valid, Random random) {
        var b = new StringBuilder(valid);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && !b.isEmpty(); e++) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(5)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, "{}[]\",:0159.e-\\`".charAt(random.nextInt(16)));
                case 2 -> b.setCharAt(at, (char) (32 + random.nextInt(95)));
                case 3 -> b.setLength(at);
                default -> b.append(b, 0, Math.min(b.length(), random.nextInt(20)));
            }
        }
        return b.toString();
    }
}
