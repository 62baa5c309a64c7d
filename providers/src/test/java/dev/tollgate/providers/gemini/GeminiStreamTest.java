package dev.tollgate.providers.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stream decoder edge cases, usage arithmetic, call ids, and the embeddings round trip. */
class GeminiStreamTest {

    private final GeminiAdapter adapter = new GeminiAdapter();

    private static SseEvent data(String json) {
        return SseEvent.data(json);
    }

    @Test
    void nothingIsDecodedAfterAFailure() {
        StreamDecoder decoder = adapter.streamDecoder();
        assertThat(decoder.onEvent(data("{oops"))).singleElement().isInstanceOfSatisfying(StreamEvent.Failure.class,
                f -> assertThat(f.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        assertThat(decoder.onEvent(data("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"late\"}]}}]}"))).isEmpty();
        assertThat(decoder.onComplete()).isEmpty();
    }

    @Test
    void blankDataIsAKeepAlive() {
        assertThat(adapter.streamDecoder().onEvent(data(""))).isEmpty();
    }

    @Test
    void inStreamErrorsAreClassifiedByCodeOrStatusWithTheirRetryDelay() {
        GatewayError limited = failure("{\"error\":{\"code\":429,\"message\":\"Quota exceeded.\",\"status\":\"RESOURCE_EXHAUSTED\","
                + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"7s\"}]}}");
        assertThat(limited.kind()).isEqualTo(ErrorKind.PROVIDER_RATE_LIMITED);
        assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(failure("{\"error\":{\"message\":\"slow\",\"status\":\"DEADLINE_EXCEEDED\"}}").kind()).isEqualTo(ErrorKind.PROVIDER_TIMEOUT);
        assertThat(failure("{\"error\":{\"code\":400,\"message\":\"The input token count (9) exceeds the maximum number of tokens allowed (8).\"}}")
                .kind()).isEqualTo(ErrorKind.CONTEXT_TOO_LONG);
        assertThat(failure("{\"error\":\"plain\"}").kind()).isEqualTo(ErrorKind.PROVIDER_ERROR);
    }

    private GatewayError failure(String data) {
        return ((StreamEvent.Failure) adapter.streamDecoder().onEvent(data(data)).getFirst()).error();
    }

    @Test
    void usageAfterTheFinishStillCountsAndTheStreamIsComplete() {
        StreamDecoder decoder = adapter.streamDecoder();
        decoder.onEvent(data("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]},\"finishReason\":\"STOP\"}],\"responseId\":\"r\"}"));
        assertThat(decoder.onEvent(data("{\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":1,\"toolUsePromptTokenCount\":2}}")))
                .containsExactly(new StreamEvent.UsageUpdate(new Usage(5, 1, 0, 0, 0, true)));
        assertThat(decoder.onComplete()).isEmpty();
    }

    @Test
    void thoughtSummariesAndUnspecifiedFinishReasonsAreNotPartOfTheAnswer() {
        List<StreamEvent> events = adapter.streamDecoder().onEvent(data("{\"candidates\":[{\"content\":{\"parts\":["
                + "{\"text\":\"thinking...\",\"thought\":true},{\"text\":\"Answer\"}]},\"finishReason\":\"FINISH_REASON_UNSPECIFIED\"}],"
                + "\"responseId\":\"r\",\"modelVersion\":\"m\"}"));
        assertThat(events).hasSize(2).element(1).isEqualTo(new StreamEvent.TextDelta(0, "Answer"));
    }

    @Test
    void finishReasonsMapToCanonicalOnes() {
        assertThat(GeminiCandidates.finishReason("STOP", false)).isEqualTo(FinishReason.STOP);
        assertThat(GeminiCandidates.finishReason("STOP", true)).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(GeminiCandidates.finishReason("MAX_TOKENS", true)).isEqualTo(FinishReason.LENGTH);
        for (String filter : List.of("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII")) {
            assertThat(GeminiCandidates.finishReason(filter, false)).as(filter).isEqualTo(FinishReason.CONTENT_FILTER);
        }
        assertThat(GeminiCandidates.finishReason("MALFORMED_FUNCTION_CALL", false)).isEqualTo(FinishReason.STOP);
        assertThat(GeminiCandidates.finishReason("SOMETHING_NEW", false)).isEqualTo(FinishReason.STOP);
    }

    @Test
    void synthesizedCallIdsAreShortAndSafeForEveryProvider() throws IOException {
        var call = new ObjectMapper().readTree("{\"name\":\"f\"}");
        assertThat(GeminiCandidates.callId(call, "", 3)).isEqualTo("call_3");
        assertThat(GeminiCandidates.callId(call, "a/b+c=d", 0)).isEqualTo("call_abcd_0");
        String id = GeminiCandidates.callId(call, "x".repeat(100), 12);
        assertThat(id).hasSizeLessThanOrEqualTo(40).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void embeddingsRoundTrip() throws IOException {
        var request = new EmbeddingRequest("public-embed", List.of("first", "second"), 256, "base64", "u1",
                Map.of("taskType", new RawJson("\"RETRIEVAL_DOCUMENT\"")));
        UpstreamCall call = adapter.prepareEmbeddings(request,
                GeminiAdapterTest.deployment("https://generativelanguage.googleapis.com/v1beta", "gemini-embedding-001"));
        assertThat(call.uri()).isEqualTo(URI.create(
                "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents"));
        var mapper = new ObjectMapper();
        assertThat(mapper.readTree(call.body())).isEqualTo(mapper.readTree("{\"requests\":["
                + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"first\"}]},"
                + "\"outputDimensionality\":256,\"taskType\":\"RETRIEVAL_DOCUMENT\"},"
                + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"second\"}]},"
                + "\"outputDimensionality\":256,\"taskType\":\"RETRIEVAL_DOCUMENT\"}]}"));

        String reply = "{\"embeddings\":[{\"values\":[0.1,-0.2,3e-3]},{\"values\":[0.5,-0.25]}]}";
        EmbeddingResponse response = adapter.parseEmbeddings(new UpstreamReply(200, Map.of(), reply.getBytes(StandardCharsets.UTF_8)));
        assertThat(response.vectors()).hasSize(2);
        assertThat(response.vectors().get(0)).containsExactly(0.1f, -0.2f, 0.003f);
        assertThat(response.vectors().get(1)).containsExactly(0.5f, -0.25f);
        assertThat(response.usage()).isEqualTo(Usage.UNKNOWN);
        assertThat(response.model()).isEmpty();
    }

    @Test
    void embeddingsRefuseWhatGeminiCannotDo() {
        var deployment = GeminiAdapterTest.deployment("https://upstream.test/v1beta", "text-embedding-004");
        var tooMany = new EmbeddingRequest("e", Collections.nCopies(101, "x"), null, null, null, Map.of());
        assertThatThrownBy(() -> adapter.prepareEmbeddings(tooMany, deployment))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().code()).isEqualTo("too_many_inputs"));
        var foreign = new EmbeddingRequest("e", List.of("x"), null, null, null, Map.of("input_type", new RawJson("\"query\"")));
        assertThatThrownBy(() -> adapter.prepareEmbeddings(foreign, deployment))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().code()).isEqualTo("parameter_not_supported");
                    assertThat(e.error().param()).isEqualTo("input_type");
                });
    }

    @Test
    void embeddingsParseRefusesGarbage() {
        for (String body : List.of("", "[]", "{\"embeddings\":[]}", "{\"embeddings\":[{\"values\":[\"x\"]}]}", "{\"embeddings\":[{}]}")) {
            assertThatThrownBy(() -> adapter.parseEmbeddings(new UpstreamReply(200, Map.of(), body.getBytes(StandardCharsets.UTF_8))))
                    .as(body)
                    .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        }
    }
}
