package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Gemini codecs' strict mapper and the few reading and writing primitives they share on top of {@link Json}. All
 * members are thread-safe.
 */
final class GeminiJson {

    /** Refuses trailing data: "18 C" is text, not the number 18 followed by noise. */
    static final ObjectMapper MAPPER = JsonMapper.builder(Json.FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private GeminiJson() {}

    /** Runs {@code body} with a generator and returns what it wrote: every writer here builds bytes in memory. */
    static byte[] write(int sizeHint, Body body) {
        var out = new ByteArrayBuilder(sizeHint);
        try (JsonGenerator g = Json.generator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    /** What a writer does with its generator. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** The tree of a JSON text, or null when it is not JSON (or nests deeper than {@link Json#MAX_DEPTH}). */
    static JsonNode treeOrNull(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }

    /** Like {@link #treeOrNull(byte[])}, for text. */
    static JsonNode treeOrNull(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }

    /** The error for a 2xx body that is not what the API promises. */
    static GatewayException unusable(String why) {
        return new GatewayException(GatewayError.of(ErrorKind.PROVIDER_ERROR, "Upstream returned an unusable reply: " + why + "."));
    }
}
