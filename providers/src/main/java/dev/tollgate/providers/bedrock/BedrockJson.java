package dev.tollgate.providers.bedrock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON factory and mapper of the Bedrock codecs and the few reading primitives they share. Thread-safe.
 *
 * <p>A depth-bounded factory and a lenient count reader exist in the OpenAI package too; both belong in one shared
 * place of the providers module once a third adapter needs them.
 */
final class BedrockJson {

    /** Deeper documents are refused before any recursion (no {@link StackOverflowError} on a hostile body). */
    static final int MAX_DEPTH = 64;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY).build();

    private BedrockJson() {}

    /** A generator writing UTF-8 into {@code out}. */
    static JsonGenerator generator(ByteArrayBuilder out) {
        try {
            return FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON object in {@code text}, or null when it is not JSON or not an object. */
    static JsonNode object(byte[] text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Like {@link #object(byte[])} for text already decoded. */
    static JsonNode object(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A token count as the provider sent it; absent, null or nonsense (negative, text) reads as zero. */
    static long count(JsonNode node) {
        return node != null && node.canConvertToLong() ? Math.max(0, node.asLong()) : 0;
    }

    /** A string field, or null when absent or not a string. */
    static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }
}
