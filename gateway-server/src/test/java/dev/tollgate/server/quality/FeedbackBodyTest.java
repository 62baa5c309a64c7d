package dev.tollgate.server.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quality.FeedbackScore;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FeedbackBodyTest {

    private static FeedbackBody.Read read(String json) {
        return FeedbackBody.read(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFieldGivenTwiceIsRefusedNotSilentlyTakenFromItsLastCopy() {
        // Which copy a parser keeps is not something a caller can rely on: "score":1 then "score":5 is ambiguous.
        for (String body : new String[] {
                "{\"request_id\":\"r\",\"score\":1,\"score\":5}",
                "{\"request_id\":\"a\",\"request_id\":\"b\",\"score\":5}",
                "{\"request_id\":\"r\",\"score\":5,\"comment\":\"x\",\"comment\":null}"}) {
            assertThat(read(body)).as(body).isInstanceOfSatisfying(FeedbackBody.Read.Invalid.class,
                    invalid -> assertThat(invalid.error().code()).isEqualTo("invalid_json"));
        }
    }

    @Test
    void aSecondObjectAfterTheFirstIsRefused() {
        assertThat(read("{\"request_id\":\"r\",\"score\":5} {\"request_id\":\"r\",\"score\":1}"))
                .isInstanceOfSatisfying(FeedbackBody.Read.Invalid.class,
                        invalid -> assertThat(invalid.error().message()).isEqualTo(
                                "The request body is not valid JSON."));
    }

    @Test
    void aValidBodyReads() {
        assertThat(read("{\"request_id\":\"r\",\"score\":\"up\",\"comment\":\"\"}"))
                .isEqualTo(new FeedbackBody.Read.Valid("r", new FeedbackScore.Thumbs(true), null));
    }

    @Test
    void theEchoedScoreIsNeverCutInsideASurrogatePair() {
        // 1 quote + 19 pairs puts a pair across the 40-character cut.
        String emoji = "\uD83D\uDE00".repeat(30);
        // The client's JSON decoder would meet a lone surrogate in the error it is sent.
        var read = read("{\"request_id\":\"r\",\"score\":\"" + emoji + "\"}");
        assertThat(read).isInstanceOf(FeedbackBody.Read.Invalid.class);
        String message = ((FeedbackBody.Read.Invalid) read).error().message();
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertThat(i + 1 < message.length() && Character.isLowSurrogate(message.charAt(i + 1)))
                        .as("a high surrogate at %d has its pair", i).isTrue();
            }
        }
    }
}
