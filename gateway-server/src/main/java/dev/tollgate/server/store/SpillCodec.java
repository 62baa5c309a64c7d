package dev.tollgate.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.ledger.SpendRow;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import java.time.Instant;
import java.util.Locale;

/**
 * One {@link SpendRow} as one line of JSON in the spill file. The field names are spelled out here, not derived
 * from the record, so that a spill file written before an upgrade still reads after it. Thread-safe.
 */
final class SpillCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SpillCodec() {}

    /** The row as a single line (JSON escapes every newline inside strings). */
    static String encode(SpendRow row) {
        Usage usage = row.usage();
        ObjectNode node = JSON.createObjectNode()
                .put("request_id", row.requestId())
                .put("at_ms", row.at().toEpochMilli())
                .put("key", row.key())
                .put("team", row.team())
                .put("user", row.user())
                .put("route", row.route())
                .put("model", row.model())
                .put("deployment", row.deployment())
                .put("provider", row.provider())
                .put("input_tokens", usage.inputTokens())
                .put("output_tokens", usage.outputTokens())
                .put("cached_input_tokens", usage.cachedInputTokens())
                .put("cache_write_tokens", usage.cacheWriteTokens())
                .put("reasoning_tokens", usage.reasoningTokens())
                .put("usage_reported", usage.reported())
                .put("cost_nanos", row.cost().nanos())
                .put("cost_estimated", row.costEstimated())
                .put("outcome", row.outcome().label())
                .put("status", row.status())
                .put("cache_hit", row.cacheHit())
                .put("stream", row.stream())
                .put("latency_ms", row.latencyMillis())
                .put("client_request_id", row.clientRequestId())
                .put("tier", row.tier())
                .put("variant", row.variant());
        PromptUse prompt = row.prompt();
        if (prompt != null) {
            node.putObject("prompt").put("id", prompt.id()).put("version", prompt.version())
                    .put("label", prompt.label()).put("experiment", prompt.experiment()).put("arm", prompt.arm());
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers always serializes", e);
        }
    }

    /**
     * Reads a line written by {@link #encode}.
     *
     * @throws IllegalArgumentException when the line is not such a row (a torn or damaged line)
     */
    static SpendRow decode(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        try {
            Usage usage = new Usage(node.required("input_tokens").asLong(), node.required("output_tokens").asLong(),
                    node.required("cached_input_tokens").asLong(), node.required("cache_write_tokens").asLong(),
                    node.required("reasoning_tokens").asLong(), node.required("usage_reported").asBoolean());
            return new SpendRow(
                    node.required("request_id").asText(),
                    Instant.ofEpochMilli(node.required("at_ms").asLong()),
                    text(node, "key"),
                    text(node, "team"),
                    text(node, "user"),
                    node.required("route").asText(),
                    text(node, "model"),
                    text(node, "deployment"),
                    text(node, "provider"),
                    usage,
                    new Money(node.required("cost_nanos").asLong()),
                    node.required("cost_estimated").asBoolean(),
                    Outcome.valueOf(node.required("outcome").asText().toUpperCase(Locale.ROOT)),
                    node.required("status").asInt(),
                    node.required("cache_hit").asBoolean(),
                    node.required("stream").asBoolean(),
                    node.required("latency_ms").asLong(),
                    text(node, "client_request_id"), // absent in rows spilled before schema version 2
                    text(node, "tier"),
                    text(node, "variant"),
                    prompt(node.get("prompt"))); // absent in rows spilled before schema version 3
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a spend row: " + e.getMessage(), e);
        }
    }

    private static PromptUse prompt(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return new PromptUse(node.required("id").asText(), node.required("version").asInt(), text(node, "label"),
                text(node, "experiment"), text(node, "arm"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
