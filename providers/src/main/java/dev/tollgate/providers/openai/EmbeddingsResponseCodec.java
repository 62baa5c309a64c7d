package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Usage;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAI embeddings list, both ways. Vectors are read and written with the streaming API: a reply holds
 * thousands of numbers per input and a tree would box every one. {@code base64} is what OpenAI sends for
 * {@code encoding_format: base64}: the vector's float32 values, little-endian, Base64-encoded.
 */
final class EmbeddingsResponseCodec {

    private EmbeddingsResponseCodec() {}

    static byte[] write(EmbeddingResponse response, boolean base64) {
        var out = new ByteArrayBuilder(1024);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            List<float[]> vectors = response.vectors();
            for (int i = 0; i < vectors.size(); i++) {
                g.writeStartObject();
                g.writeStringField("object", "embedding");
                g.writeNumberField("index", i);
                g.writeFieldName("embedding");
                float[] vector = vectors.get(i);
                if (base64) {
                    g.writeString(toBase64(vector));
                } else {
                    g.writeStartArray();
                    for (float value : vector) {
                        g.writeNumber(value);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model", response.model());
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", response.usage().inputTokens());
            g.writeNumberField("total_tokens", response.usage().totalTokens());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    static String toBase64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    static float[] fromBase64(String text) {
        byte[] raw = Base64.getDecoder().decode(text);
        if (raw.length % Float.BYTES != 0) {
            throw new IllegalArgumentException("not a whole number of float32 values");
        }
        float[] vector = new float[raw.length / Float.BYTES];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
        return vector;
    }

    /** A 2xx upstream reply; vectors in input order whichever order the provider listed them in. */
    static EmbeddingResponse read(byte[] body) {
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw garbage("the reply is not a JSON object");
            }
            String model = "";
            Map<Integer, float[]> vectors = new TreeMap<>();
            Usage usage = Usage.UNKNOWN;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "model" -> model = p.getValueAsString("");
                    case "data" -> readData(p, vectors);
                    case "usage" -> usage = readUsage(Json.MAPPER.readTree(p));
                    default -> p.skipChildren();
                }
            }
            if (vectors.isEmpty()) {
                throw garbage("the reply has no embeddings");
            }
            return new EmbeddingResponse(model, new ArrayList<>(vectors.values()), usage);
        } catch (IOException | IllegalArgumentException e) {
            throw garbage("the reply is not a valid embeddings list");
        }
    }

    private static void readData(JsonParser p, Map<Integer, float[]> vectors) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw garbage("data is not an array");
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int index = vectors.size();
            float[] vector = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "index" -> index = p.getValueAsInt(index);
                    case "embedding" -> vector = value == JsonToken.VALUE_STRING ? fromBase64(p.getText()) : readFloats(p);
                    default -> p.skipChildren();
                }
            }
            if (vector == null) {
                throw garbage("an item has no embedding");
            }
            vectors.put(index, vector);
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw garbage("data holds a non-object");
        }
    }

    private static float[] readFloats(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw garbage("an embedding is neither an array nor base64");
        }
        float[] values = new float[256];
        int size = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (!p.currentToken().isNumeric()) {
                throw garbage("an embedding holds a non-number");
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = p.getFloatValue();
        }
        return size == values.length ? values : Arrays.copyOf(values, size);
    }

    private static Usage readUsage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Usage.UNKNOWN;
        }
        return Usage.reported(Json.count(usage.get("prompt_tokens")), 0);
    }

    private static GatewayException garbage(String why) {
        return new GatewayException(GatewayError.of(ErrorKind.PROVIDER_ERROR, "Upstream returned unusable embeddings: " + why + "."));
    }
}
