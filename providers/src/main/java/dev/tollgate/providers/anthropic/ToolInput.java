package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;

/**
 * Tool-call arguments, which the canonical model carries as JSON text, checked against what Anthropic's
 * {@code tool_use.input} must be: one JSON object. Stateless.
 */
final class ToolInput {

    private ToolInput() {}

    /**
     * {@code arguments} when they are one JSON object (the exact text, so no byte changes on the way), {@code {}}
     * when they are blank (some OpenAI-compatible servers send "" for a tool without parameters), else null.
     */
    static String asObject(String arguments) {
        if (arguments.isBlank()) {
            return "{}";
        }
        try (JsonParser p = Json.FACTORY.createParser(arguments)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            p.skipChildren();
            return p.nextToken() == null ? arguments : null;
        } catch (IOException | IllegalStateException e) {
            // Not JSON, too deep, or a hash flood of names (Jackson's IllegalStateException): not an object either way.
            return null;
        }
    }
}
