package dev.tollgate.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;

/**
 * The few tree-reading primitives the Bedrock codecs share on top of {@link Json}. Thread-safe.
 */
final class BedrockJson {

    private BedrockJson() {}

    /** The JSON object in {@code text}, or null when it is not JSON or not an object. */
    static JsonNode object(byte[] text) {
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Like {@link #object(byte[])} for text already decoded. */
    static JsonNode object(String text) {
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A string field, or null when absent or not a string. */
    static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }
}
