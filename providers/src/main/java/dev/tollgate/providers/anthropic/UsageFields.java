package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.Usage;
import java.io.IOException;

/**
 * Anthropic's {@code usage} object and the canonical {@link Usage}. Anthropic reports prompt tokens in three
 * disjoint parts, {@code input_tokens} (neither read from nor written to the cache),
 * {@code cache_read_input_tokens} and {@code cache_creation_input_tokens}; the canonical input count is their sum,
 * with the cache parts as its cached and cache-write subsets. Thinking is billed inside {@code output_tokens};
 * {@code output_tokens_details.thinking_tokens}, when reported, is that part (the canonical reasoning count).
 *
 * @param input {@code input_tokens}
 * @param cacheRead {@code cache_read_input_tokens}
 * @param cacheWrite {@code cache_creation_input_tokens}
 * @param output {@code output_tokens}
 * @param thinking {@code output_tokens_details.thinking_tokens}
 */
record UsageFields(long input, long cacheRead, long cacheWrite, long output, long thinking) {

    static final UsageFields NONE = new UsageFields(0, 0, 0, 0, 0);

    /**
     * These counts updated by a {@code usage} node: each field it carries replaces the one held (a stream's
     * {@code message_delta} counts are cumulative); absent, null or nonsense fields keep it.
     */
    UsageFields merge(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return this;
        }
        return new UsageFields(count(usage, "input_tokens", input), count(usage, "cache_read_input_tokens", cacheRead),
                count(usage, "cache_creation_input_tokens", cacheWrite), count(usage, "output_tokens", output),
                count(usage.path("output_tokens_details"), "thinking_tokens", thinking));
    }

    private static long count(JsonNode usage, String field, long held) {
        JsonNode node = usage.get(field);
        return node != null && node.canConvertToLong() && node.asLong() >= 0 ? node.asLong() : held;
    }

    /** The canonical usage, as reported by the provider. */
    Usage toUsage() {
        return new Usage(input + cacheRead + cacheWrite, output, cacheRead, cacheWrite, thinking, true);
    }

    /** The parts of a canonical usage; {@code input_tokens} never goes negative for an inconsistent one. */
    static UsageFields of(Usage usage) {
        long uncached = Math.max(0, usage.inputTokens() - usage.cachedInputTokens() - usage.cacheWriteTokens());
        return new UsageFields(uncached, usage.cachedInputTokens(), usage.cacheWriteTokens(), usage.outputTokens(),
                usage.reasoningTokens());
    }

    /**
     * Writes the usage object at the generator's position (its field name was just written); the thinking count
     * only when there is one, as Anthropic does.
     */
    void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeNumberField("input_tokens", input);
        g.writeNumberField("cache_creation_input_tokens", cacheWrite);
        g.writeNumberField("cache_read_input_tokens", cacheRead);
        g.writeNumberField("output_tokens", output);
        if (thinking > 0) {
            g.writeObjectFieldStart("output_tokens_details");
            g.writeNumberField("thinking_tokens", thinking);
            g.writeEndObject();
        }
        g.writeEndObject();
    }
}
