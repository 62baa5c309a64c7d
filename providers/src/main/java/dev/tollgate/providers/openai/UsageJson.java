package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.Usage;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;

/**
 * OpenAI's {@code usage} object. {@code prompt_tokens} counts every prompt token, cached ones included, so it maps to
 * {@link Usage#inputTokens()} and {@code cached_tokens} to the cached subset. Stateless.
 */
final class UsageJson {

    private UsageJson() {}

    /** The usage a provider reported; {@link Usage#UNKNOWN} when the node is absent or null. */
    static Usage read(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Usage.UNKNOWN;
        }
        return new Usage(
                Json.count(usage.get("prompt_tokens")),
                Json.count(usage.get("completion_tokens")),
                Json.count(usage.path("prompt_tokens_details").get("cached_tokens")),
                0,
                Json.count(usage.path("completion_tokens_details").get("reasoning_tokens")),
                true);
    }

    /** Writes the usage object at the generator's current position (a field name was just written). */
    static void write(JsonGenerator g, Usage usage) throws IOException {
        g.writeStartObject();
        g.writeNumberField("prompt_tokens", usage.inputTokens());
        g.writeNumberField("completion_tokens", usage.outputTokens());
        g.writeNumberField("total_tokens", usage.totalTokens());
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", usage.cachedInputTokens());
        g.writeEndObject();
        g.writeObjectFieldStart("completion_tokens_details");
        g.writeNumberField("reasoning_tokens", usage.reasoningTokens());
        g.writeEndObject();
        g.writeEndObject();
    }
}
