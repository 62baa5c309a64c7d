package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.Usage;
import dev.tollgate.providers.wire.Json;

/**
 * Gemini's {@code usageMetadata} in canonical form. Gemini's {@code totalTokenCount} is the sum of
 * {@code promptTokenCount}, {@code toolUsePromptTokenCount}, {@code candidatesTokenCount} and
 * {@code thoughtsTokenCount}, so:
 * <ul>
 *   <li>input = {@code promptTokenCount} (which already includes {@code cachedContentTokenCount}) +
 *       {@code toolUsePromptTokenCount} (prompt tokens of built-in tools, billed as input);</li>
 *   <li>output = {@code candidatesTokenCount} + {@code thoughtsTokenCount}: canonical output includes reasoning, and
 *       Gemini bills thinking as output;</li>
 *   <li>cached = {@code cachedContentTokenCount}, reasoning = {@code thoughtsTokenCount}; Gemini reports no cache
 *       writes.</li>
 * </ul>
 * Stateless.
 */
final class GeminiUsage {

    private GeminiUsage() {}

    /** Reported usage; {@link Usage#UNKNOWN} when the node is absent or not an object. */
    static Usage read(JsonNode metadata) {
        if (metadata == null || !metadata.isObject()) {
            return Usage.UNKNOWN;
        }
        long thoughts = Json.count(metadata.get("thoughtsTokenCount"));
        return new Usage(
                Json.count(metadata.get("promptTokenCount")) + Json.count(metadata.get("toolUsePromptTokenCount")),
                Json.count(metadata.get("candidatesTokenCount")) + thoughts,
                Json.count(metadata.get("cachedContentTokenCount")),
                0,
                thoughts,
                true);
    }
}
