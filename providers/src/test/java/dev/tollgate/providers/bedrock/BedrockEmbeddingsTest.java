package dev.tollgate.providers.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.TokenEstimate;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Embeddings through InvokeModel: Titan's one-input body, Cohere's batch, and the refusals around them. */
class BedrockEmbeddingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final BedrockAdapter adapter = new BedrockAdapter(BedrockAdapterTest.CLOCK);

    private static EmbeddingRequest request(List<String> inputs, Integer dimensions, Map<String, RawJson> extensions) {
        return new EmbeddingRequest("embed", inputs, dimensions, "float", "user-1", extensions);
    }

    private UpstreamCall prepare(String model, EmbeddingRequest request) {
        return adapter.prepareEmbeddings(request,
                BedrockAdapterTest.deployment(model, List.of(), BedrockAdapterTest.credentials(false)));
    }

    private JsonNode body(String model, EmbeddingRequest request) throws IOException {
        return JSON.readTree(prepare(model, request).body());
    }

    private void assertRefused(String model, EmbeddingRequest request, String param, String message) {
        assertThatThrownBy(() -> prepare(model, request)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            assertThat(e.error().param()).isEqualTo(param);
            assertThat(e.error().message()).contains(message);
        });
    }

    @Test
    void titanTakesOneInputPerSignedInvokeCall() throws IOException {
        UpstreamCall call = prepare("amazon.titan-embed-text-v2:0", request(List.of("hello"), 512, Map.of()));
        assertThat(call.uri().toString())
                .isEqualTo("https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke");
        assertThat(call.headers()).extracting(Header::name).contains("host", "x-amz-date", "authorization");
        assertThat(call.headers()).contains(new Header("accept", "application/json"));
        assertThat(JSON.readTree(call.body()))
                .isEqualTo(JSON.readTree("{\"inputText\":\"hello\",\"dimensions\":512,\"normalize\":true}"));
        assertThat(body("amazon.titan-embed-text-v2:0", request(List.of("hello"), null, Map.of())))
                .isEqualTo(JSON.readTree("{\"inputText\":\"hello\",\"normalize\":true}"));
    }

    @Test
    void titanV1TakesTheTextAlone() throws IOException {
        assertThat(body("amazon.titan-embed-text-v1", request(List.of("hello"), null, Map.of())))
                .isEqualTo(JSON.readTree("{\"inputText\":\"hello\"}"));
        assertRefused("amazon.titan-embed-text-v1", request(List.of("hello"), 256, Map.of()), "dimensions", "fixed size");
    }

    @Test
    void titanRefusesSeveralInputs() {
        assertRefused("amazon.titan-embed-text-v2:0", request(List.of("a", "b"), null, Map.of()), "input",
                "exactly one input per request");
    }

    @Test
    void cohereTakesABatchOfDocuments() throws IOException {
        assertThat(body("cohere.embed-english-v3", request(List.of("hello world", "bye"), null, Map.of())))
                .isEqualTo(JSON.readTree("{\"texts\":[\"hello world\",\"bye\"],\"input_type\":\"search_document\"}"));
        assertRefused("cohere.embed-multilingual-v3", request(List.of("a"), 256, Map.of()), "dimensions", "fixed size");
        assertThat(body("us.cohere.embed-v4:0", request(List.of("a"), 1024, Map.of())))
                .isEqualTo(JSON.readTree("{\"texts\":[\"a\"],\"input_type\":\"search_document\",\"output_dimension\":1024}"));
        assertRefused("cohere.embed-english-v3", request(Collections.nCopies(97, "x"), null, Map.of()), "input",
                "at most 96 inputs");
    }

    @Test
    void familiesAreRecognisedBehindProfilesAndArns() throws IOException {
        assertThat(body("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0",
                request(List.of("x"), null, Map.of())).has("inputText")).isTrue();
        assertThat(body("eu.cohere.embed-multilingual-v3", request(List.of("x"), null, Map.of())).has("texts")).isTrue();
    }

    @Test
    void otherFamiliesAreRefused() {
        for (String model : List.of("amazon.nova-lite-v1:0", "amazon.titan-embed-image-v1", "mistral.mistral-7b-instruct-v0:2")) {
            assertRefused(model, request(List.of("x"), null, Map.of()), "model",
                    "Amazon Titan Text Embeddings and Cohere Embed are supported");
        }
    }

    @Test
    void foreignFieldsAreRefused() {
        assertRefused("amazon.titan-embed-text-v2:0", request(List.of("x"), null, Map.of("truncate", new RawJson("\"END\""))),
                "truncate", "not supported");
    }

    private EmbeddingResponse parse(String body) {
        return adapter.parseEmbeddings(new UpstreamReply(200, Map.of(), body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void titanRepliesReportTheirTokens() {
        EmbeddingResponse response = parse("{\"embedding\":[0.125,-0.5,0.25],\"inputTextTokenCount\":3}");
        assertThat(response.vectors()).singleElement().satisfies(v -> assertThat(v).containsExactly(0.125f, -0.5f, 0.25f));
        assertThat(response.usage()).isEqualTo(Usage.reported(3, 0));
    }

    @Test
    void cohereRepliesAreEstimatedFromTheTextsTheyEcho() {
        EmbeddingResponse response = parse("{\"id\":\"5e8a0d3c\",\"embeddings\":[[0.5,0.25],[-0.5,1.0]],"
                + "\"texts\":[\"hello world\",\"bye\"],\"response_type\":\"embeddings_floats\"}");
        assertThat(response.vectors()).hasSize(2);
        assertThat(response.vectors().get(1)).containsExactly(-0.5f, 1.0f);
        assertThat(response.usage())
                .isEqualTo(Usage.estimated(TokenEstimate.text("hello world") + TokenEstimate.text("bye"), 0));
        assertThat(response.usage().reported()).isFalse();
    }

    @Test
    void cohereV4RepliesByTypeAreRead() {
        EmbeddingResponse response = parse("{\"embeddings\":{\"float\":[[0.5,0.25,0.125]]},\"texts\":[\"a\"],"
                + "\"response_type\":\"embeddings_by_type\"}");
        assertThat(response.vectors()).singleElement().satisfies(v -> assertThat(v).hasSize(3));
    }

    @Test
    void garbageIsAProviderError() {
        for (String body : List.of("nope", "{}", "{\"embedding\":[\"a\"]}", "{\"embeddings\":[]}")) {
            assertThatThrownBy(() -> parse(body)).as(body).isInstanceOfSatisfying(GatewayException.class,
                    e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        }
    }
}
