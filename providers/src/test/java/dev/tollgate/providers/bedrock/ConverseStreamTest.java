package dev.tollgate.providers.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ConverseStream decoder beyond the golden transcripts: every in-stream failure and protocol breach. */
class ConverseStreamTest {

    private static final SseEvent START = new SseEvent("messageStart", "{\"role\":\"assistant\"}", null);

    private static GatewayError failureOf(String event, String data) {
        StreamDecoder decoder = new ConverseStreamDecoder(0);
        decoder.onEvent(START);
        List<StreamEvent> events = decoder.onEvent(new SseEvent(event, data, null));
        assertThat(events).singleElement().isInstanceOf(StreamEvent.Failure.class);
        assertThat(decoder.onComplete()).as("nothing after a failure").isEmpty();
        return ((StreamEvent.Failure) events.getFirst()).error();
    }

    @Test
    void exceptionsMapByType() {
        String message = "{\"message\":\"Something went wrong.\"}";
        assertThat(failureOf("exception:throttlingException", message).kind()).isEqualTo(ErrorKind.PROVIDER_RATE_LIMITED);
        assertThat(failureOf("exception:modelStreamErrorException",
                "{\"message\":\"Model stream error\",\"originalStatusCode\":500}").kind()).isEqualTo(ErrorKind.PROVIDER_ERROR);
        assertThat(failureOf("exception:internalServerException", message).kind()).isEqualTo(ErrorKind.PROVIDER_ERROR);
        assertThat(failureOf("exception:serviceUnavailableException", message).kind())
                .isEqualTo(ErrorKind.PROVIDER_OVERLOADED);
        assertThat(failureOf("exception:validationException", message).kind()).isEqualTo(ErrorKind.PROVIDER_BAD_REQUEST);
        assertThat(failureOf("exception:validationException", "{\"message\":\"Input is too long for requested model.\"}")
                .kind()).isEqualTo(ErrorKind.CONTEXT_TOO_LONG);
        assertThat(failureOf("exception:modelTimeoutException", message).kind()).isEqualTo(ErrorKind.PROVIDER_TIMEOUT);
        assertThat(failureOf("exception:somethingNewException", message).kind()).isEqualTo(ErrorKind.PROVIDER_ERROR);
    }

    @Test
    void failuresCarryTheProvidersMessage() {
        GatewayError throttled = failureOf("exception:throttlingException", "{\"message\":\"Too many tokens.\"}");
        assertThat(throttled.message()).isEqualTo("Too many tokens.");
        assertThat(throttled.httpStatus()).isEqualTo(429);
        assertThat(throttled.retryable()).isTrue();
        assertThat(failureOf("error:InternalFailure", "We encountered an internal error.").message())
                .isEqualTo("We encountered an internal error.");
        assertThat(failureOf("exception:internalServerException", "").message())
                .isEqualTo("Amazon Bedrock reported an error in the stream (exception:internalServerException).");
    }

    @Test
    void aPayloadThatIsNotJsonIsAFailure() {
        GatewayError error = failureOf("contentBlockDelta", "{\"delta\":");
        assertThat(error.kind()).isEqualTo(ErrorKind.PROVIDER_ERROR);
        assertThat(error.message()).contains("contentBlockDelta");
    }

    @Test
    void toolInputForABlockThatNeverStartedIsAFailure() {
        GatewayError error = failureOf("contentBlockDelta",
                "{\"contentBlockIndex\":3,\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}");
        assertThat(error.message()).contains("never started");
    }

    @Test
    void eventsItDoesNotKnowCarryNothing() {
        StreamDecoder decoder = new ConverseStreamDecoder(0);
        assertThat(decoder.onEvent(new SseEvent("contentBlockStart", "{\"contentBlockIndex\":0,\"start\":{}}", null)))
                .isEmpty();
        assertThat(decoder.onEvent(new SseEvent("somethingNew", "{}", null))).isEmpty();
        assertThat(decoder.onEvent(new SseEvent("metadata", "{\"metrics\":{\"latencyMs\":1}}", null))).isEmpty();
        assertThat(decoder.onEvent(new SseEvent("contentBlockDelta", "{\"delta\":{\"text\":\"\"}}", null))).isEmpty();
    }

    @Test
    void messageStopCompletesTheStream() {
        StreamDecoder decoder = new ConverseStreamDecoder(0);
        decoder.onEvent(START);
        assertThat(decoder.onEvent(new SseEvent("messageStop", "{\"stopReason\":\"guardrail_intervened\"}", null)))
                .containsExactly(new StreamEvent.Finish(FinishReason.CONTENT_FILTER));
        assertThat(decoder.onComplete()).isEmpty();
    }
}
