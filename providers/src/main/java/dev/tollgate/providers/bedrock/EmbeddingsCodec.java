package dev.tollgate.providers.bedrock;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.TokenEstimate;
import dev.tollgate.core.model.Usage;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Embeddings through InvokeModel, whose body is each model family's own: Amazon Titan Text Embeddings
 * ({@code {"inputText":...}}, one input per call) and Cohere Embed ({@code {"texts":[...]}}). Other families are
 * refused. Stateless.
 */
final class EmbeddingsCodec {

    /** Cohere's limit on texts per call. */
    static final int COHERE_MAX_TEXTS = 96;

    /**
     * A model id after an optional ARN prefix ({@code arn:...:foundation-model/}) and an optional cross-region
     * inference profile prefix ({@code us.}, {@code eu.}, {@code global.}).
     */
    private static final Pattern FAMILY = Pattern.compile("^(?:[a-z-]+\\.)?"
            + "(amazon\\.titan-embed-text-v1|amazon\\.titan-embed-text-|cohere\\.embed-v4|cohere\\.embed-)");

    private enum Family {
        /** Takes {@code inputText} and nothing else. */
        TITAN_V1,
        /** Takes {@code dimensions} and {@code normalize} besides the text. */
        TITAN,
        /** Has a fixed size. */
        COHERE,
        /** Takes {@code output_dimension}. */
        COHERE_V4
    }

    private EmbeddingsCodec() {}

    /**
     * The InvokeModel body for {@code modelId}, or a {@link GatewayException} naming the field the family cannot
     * honour: {@code model} for another family, {@code input} for several inputs to Titan or more than
     * {@value #COHERE_MAX_TEXTS} to Cohere, {@code dimensions} for a model of fixed size, foreign fields.
     */
    static byte[] write(EmbeddingRequest request, String modelId) {
        Family family = family(request, modelId);
        ForeignFields.check(request.extensions(), Set.of());
        var out = new ByteArrayBuilder(256);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            switch (family) {
                case TITAN_V1, TITAN -> writeTitan(g, request, family);
                case COHERE, COHERE_V4 -> writeCohere(g, request, family);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    private static Family family(EmbeddingRequest request, String modelId) {
        var matcher = FAMILY.matcher(modelId.substring(modelId.lastIndexOf('/') + 1));
        if (!matcher.find()) {
            throw new GatewayException(GatewayError.invalid("model", "model_not_supported",
                    "The model '" + request.model() + "' is served on Amazon Bedrock by a model family this "
                            + "gateway cannot call for embeddings; Amazon Titan Text Embeddings and Cohere Embed are "
                            + "supported."));
        }
        return switch (matcher.group(1)) {
            case "amazon.titan-embed-text-v1" -> Family.TITAN_V1;
            case "amazon.titan-embed-text-" -> Family.TITAN;
            case "cohere.embed-v4" -> Family.COHERE_V4;
            default -> Family.COHERE;
        };
    }

    private static void writeTitan(JsonGenerator g, EmbeddingRequest request, Family family) throws IOException {
        if (request.inputs().size() != 1) {
            throw new GatewayException(GatewayError.invalid("input", "too_many_inputs",
                    "Amazon Titan text embeddings take exactly one input per request; send each input in its own "
                            + "request."));
        }
        g.writeStringField("inputText", request.inputs().getFirst());
        if (family == Family.TITAN_V1) {
            refuseDimensions(request, "Amazon Titan Text Embeddings v1");
            return;
        }
        if (request.dimensions() != null) {
            g.writeNumberField("dimensions", request.dimensions());
        }
        // Unit vectors, as OpenAI's embeddings are, so cosine and dot-product scores mean the same across providers.
        g.writeBooleanField("normalize", true);
    }

    private static void writeCohere(JsonGenerator g, EmbeddingRequest request, Family family) throws IOException {
        if (request.inputs().size() > COHERE_MAX_TEXTS) {
            throw new GatewayException(GatewayError.invalid("input", "too_many_inputs",
                    "Cohere Embed on Amazon Bedrock takes at most " + COHERE_MAX_TEXTS + " inputs per request."));
        }
        g.writeArrayFieldStart("texts");
        for (String input : request.inputs()) {
            g.writeString(input);
        }
        g.writeEndArray();
        // OpenAI's API does not say what an input is for; documents are what most embeddings calls index.
        g.writeStringField("input_type", "search_document");
        if (family == Family.COHERE) {
            refuseDimensions(request, "This Cohere Embed model");
        } else if (request.dimensions() != null) {
            g.writeNumberField("output_dimension", request.dimensions());
        }
    }

    private static void refuseDimensions(EmbeddingRequest request, String model) {
        if (request.dimensions() != null) {
            throw new GatewayException(GatewayError.invalid("dimensions", "parameter_not_supported",
                    model + " has a fixed size; 'dimensions' cannot be set."));
        }
    }

    /**
     * A 2xx reply, told apart by shape: Titan's {@code embedding} with {@code inputTextTokenCount} (reported usage),
     * or Cohere's {@code embeddings} (a list of vectors, or by type with a {@code float} list). Cohere reports no
     * tokens: its usage is estimated from the {@code texts} it echoes, and marked so. The model is empty: InvokeModel
     * does not name it.
     */
    static EmbeddingResponse read(byte[] body) {
        JsonNode root = BedrockJson.object(body);
        if (root == null) {
            throw garbage("the reply is not a JSON object");
        }
        JsonNode titan = root.get("embedding");
        if (titan != null) {
            Usage usage = root.has("inputTextTokenCount")
                    ? Usage.reported(Json.count(root.get("inputTextTokenCount")), 0)
                    : Usage.UNKNOWN;
            return new EmbeddingResponse("", List.of(vector(titan)), usage);
        }
        JsonNode cohere = root.get("embeddings");
        if (cohere != null && cohere.isObject()) {
            cohere = cohere.get("float");
        }
        if (cohere == null || !cohere.isArray() || cohere.isEmpty()) {
            throw garbage("the reply has no embeddings");
        }
        var vectors = new ArrayList<float[]>(cohere.size());
        for (JsonNode vector : cohere) {
            vectors.add(vector(vector));
        }
        return new EmbeddingResponse("", vectors, estimate(root.get("texts")));
    }

    private static Usage estimate(JsonNode texts) {
        if (texts == null || !texts.isArray()) {
            return Usage.UNKNOWN;
        }
        long tokens = 0;
        for (JsonNode text : texts) {
            tokens += TokenEstimate.text(text.asText(""));
        }
        return Usage.estimated(tokens, 0);
    }

    private static float[] vector(JsonNode values) {
        if (!values.isArray() || values.isEmpty()) {
            throw garbage("an embedding is not a list of numbers");
        }
        float[] vector = new float[values.size()];
        for (int i = 0; i < vector.length; i++) {
            JsonNode value = values.get(i);
            if (!value.isNumber()) {
                throw garbage("an embedding holds a non-number");
            }
            vector[i] = value.floatValue();
        }
        return vector;
    }

    private static GatewayException garbage(String why) {
        return new GatewayException(GatewayError.of(ErrorKind.PROVIDER_ERROR,
                "Amazon Bedrock returned unusable embeddings: " + why + "."));
    }
}
