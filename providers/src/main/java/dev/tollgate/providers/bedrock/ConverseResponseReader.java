package dev.tollgate.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Usage;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.util.ArrayList;

/**
 * Reads a Converse reply ({@code output.message.content}, {@code stopReason}, {@code usage}) into a canonical
 * response, and holds the two mappings the stream decoder shares: usage and stop reason. Stateless.
 */
final class ConverseResponseReader {

    private ConverseResponseReader() {}

    /**
     * The response. Converse names neither the reply nor the model, so {@code id} is Bedrock's request id (the
     * {@code x-amzn-requestid} header, empty when absent), {@code model} is empty and {@code created} is the
     * caller's clock. Text and toolUse blocks become parts; reasoning, citation and other blocks are dropped.
     * Throws {@link GatewayException} ({@link ErrorKind#PROVIDER_ERROR}) when the body is not a Converse reply.
     */
    static ChatResponse read(byte[] body, String requestId, long created) {
        JsonNode root = BedrockJson.object(body);
        if (root == null) {
            throw garbage("the reply is not a JSON object");
        }
        JsonNode content = root.path("output").path("message").path("content");
        if (!content.isArray()) {
            throw garbage("the reply has no output message");
        }
        var output = new ArrayList<Part>(content.size());
        for (JsonNode block : content) {
            String text = BedrockJson.text(block, "text");
            if (text != null) {
                output.add(new Part.Text(text));
                continue;
            }
            JsonNode toolUse = block.get("toolUse");
            if (toolUse != null && toolUse.isObject()) {
                output.add(new Part.ToolCall(toolUse.path("toolUseId").asText(""), toolUse.path("name").asText(""),
                        arguments(toolUse.get("input"))));
            }
        }
        return new ChatResponse(requestId == null ? "" : requestId, "", created, output,
                finishReason(BedrockJson.text(root, "stopReason")), usage(root.get("usage")));
    }

    /** Tool input as the compact JSON text canonical tool calls carry. */
    private static String arguments(JsonNode input) {
        if (input == null || input.isNull()) {
            return "{}";
        }
        try {
            return Json.MAPPER.writeValueAsString(input);
        } catch (IOException e) {
            throw garbage("a tool input cannot be written back as JSON");
        }
    }

    /**
     * Bedrock's {@code inputTokens} counts only the uncached prompt tokens; cache reads and writes are reported
     * beside it (the prompt-caching guide: total input = inputTokens + cacheReadInputTokens +
     * cacheWriteInputTokens). The canonical input count includes both, so they are added back. Absent usage is
     * {@link Usage#UNKNOWN}; an explicit zero stays a reported zero.
     */
    static Usage usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Usage.UNKNOWN;
        }
        long cacheRead = Json.count(usage.get("cacheReadInputTokens"));
        long cacheWrite = Json.count(usage.get("cacheWriteInputTokens"));
        return new Usage(Json.count(usage.get("inputTokens")) + cacheRead + cacheWrite,
                Json.count(usage.get("outputTokens")), cacheRead, cacheWrite, 0, true);
    }

    /** Converse's stop reason; anything unknown (or absent) ends as a plain stop. */
    static FinishReason finishReason(String stopReason) {
        if (stopReason == null) {
            return FinishReason.STOP;
        }
        return switch (stopReason) {
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "guardrail_intervened", "content_filtered" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP;
        };
    }

    private static GatewayException garbage(String why) {
        return new GatewayException(GatewayError.of(ErrorKind.PROVIDER_ERROR,
                "Amazon Bedrock returned an unusable reply: " + why + "."));
    }
}
