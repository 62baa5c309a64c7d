package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.Usage;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gemini's {@code batchEmbedContents}, both ways. One request entry per input, each naming the model again (Gemini
 * requires it to match the URL's); {@code dimensions} becomes {@code outputDimensionality}; the client's
 * {@code user} has no Gemini field and is dropped; of the extensions, null ones are dropped, Gemini's own
 * {@code taskType} (a string) is written through, anything else is a 400 {@code parameter_not_supported}. Vectors are read with the streaming
 * API: a tree would box every number. Stateless.
 */
final class GeminiEmbeddings {

    /** Gemini's own limit on requests per batch; refused here with a clearer message than Gemini's. */
    static final int MAX_INPUTS = 100;

    private GeminiEmbeddings() {}

    /** The body for the model at {@code modelPath} ({@code models/<name>}). */
    static byte[] write(EmbeddingRequest request, String modelPath) {
        if (request.inputs().size() > MAX_INPUTS) {
            throw new GatewayException(GatewayError.invalid("input", "too_many_inputs",
                    "Invalid 'input': Gemini embeds at most " + MAX_INPUTS + " inputs per request."));
        }
        String taskType = taskType(request.extensions());
        return GeminiJson.write(256, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("requests");
            for (String input : request.inputs()) {
                g.writeStartObject();
                g.writeStringField("model", modelPath);
                g.writeObjectFieldStart("content");
                g.writeArrayFieldStart("parts");
                g.writeStartObject();
                g.writeStringField("text", input);
                g.writeEndObject();
                g.writeEndArray();
                g.writeEndObject();
                if (request.dimensions() != null) {
                    g.writeNumberField("outputDimensionality", request.dimensions());
                }
                if (taskType != null) {
                    g.writeStringField("taskType", taskType);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static String taskType(Map<String, RawJson> extensions) {
        String taskType = null;
        for (Map.Entry<String, RawJson> extension : new TreeMap<>(extensions).entrySet()) {
            JsonNode value = GeminiJson.treeOrNull(extension.getValue().json());
            if (value != null && value.isNull()) {
                continue;
            }
            if (!extension.getKey().equals("taskType")) {
                throw new GatewayException(GatewayError.invalid(extension.getKey(), "parameter_not_supported",
                        "'" + extension.getKey() + "' is not supported by the Gemini provider serving this model."));
            }
            if (value == null || !value.isTextual()) {
                throw new GatewayException(GatewayError.invalid("taskType", "invalid_type", "Invalid 'taskType': expected a string."));
            }
            taskType = value.textValue();
        }
        return taskType;
    }

    /**
     * Vectors in input order. Gemini names neither the model nor any usage in this reply: the model is left empty
     * and the usage {@link Usage#UNKNOWN}, for the caller, which knows the request, to fill in.
     */
    static EmbeddingResponse read(byte[] body) {
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw unusable("the reply is not a JSON object");
            }
            List<float[]> vectors = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("embeddings")) {
                    readEmbeddings(p, vectors);
                } else {
                    p.skipChildren();
                }
            }
            if (vectors.isEmpty()) {
                throw unusable("the reply has no embeddings");
            }
            return new EmbeddingResponse("", vectors, Usage.UNKNOWN);
        } catch (IOException e) {
            throw unusable("the reply is not valid JSON");
        }
    }

    private static void readEmbeddings(JsonParser p, List<float[]> vectors) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw unusable("embeddings is not an array");
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            float[] vector = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("values")) {
                    vector = readFloats(p);
                } else {
                    p.skipChildren();
                }
            }
            if (vector == null) {
                throw unusable("an embedding has no values");
            }
            vectors.add(vector);
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw unusable("embeddings holds a non-object");
        }
    }

    private static float[] readFloats(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw unusable("values is not an array");
        }
        float[] values = new float[768];
        int size = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (!p.currentToken().isNumeric()) {
                throw unusable("values holds a non-number");
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = p.getFloatValue();
        }
        return size == values.length ? values : Arrays.copyOf(values, size);
    }

    private static GatewayException unusable(String why) {
        return new GatewayException(GatewayError.of(ErrorKind.PROVIDER_ERROR,
                "Upstream returned unusable embeddings: " + why + "."));
    }
}
