package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
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
import java.io.UncheckedIOException;
import java.util.ArrayList;

/**
 * The Messages API's {@code message} object, both ways: read from upstreams, written for clients. Stateless.
 */
final class MessageCodec {

    /** The member that carries tool-call arguments that are not a JSON object (see {@link #write}). */
    static final String RAW_ARGUMENTS = "_raw";

    private MessageCodec() {}

    /**
     * A 2xx upstream body as a canonical response: text blocks as text, {@code tool_use} blocks as tool calls
     * (arguments = the input object as compact JSON); thinking and server-tool blocks are dropped, they are not part
     * of an answer another API can carry. {@code created} stands in for the creation time Anthropic does not send.
     * Throws {@link GatewayException} (PROVIDER_ERROR) when the body is not a message.
     */
    static ChatResponse read(byte[] body, long created) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException | IllegalStateException e) {
            throw garbage("the upstream reply is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw garbage("the upstream reply is not a JSON object");
        }
        JsonNode content = root.get("content");
        if (content == null || !content.isArray()) {
            throw garbage("the upstream reply has no content array");
        }
        var output = new ArrayList<Part>(content.size());
        for (JsonNode block : content) {
            switch (block.path("type").asText("")) {
                case "text" -> output.add(new Part.Text(block.path("text").asText("")));
                case "tool_use" -> output.add(new Part.ToolCall(block.path("id").asText(""), block.path("name").asText(""),
                        arguments(block.get("input"))));
                default -> { }
            }
        }
        JsonNode usage = root.get("usage");
        return new ChatResponse(root.path("id").asText(""), root.path("model").asText(""), created, output,
                finishReason(root.path("stop_reason").textValue()),
                usage != null && usage.isObject() ? UsageFields.NONE.merge(usage).toUsage() : Usage.UNKNOWN);
    }

    private static String arguments(JsonNode input) {
        if (input == null || input.isNull()) {
            return "{}";
        }
        try {
            return Json.MAPPER.writeValueAsString(input);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a parsed tree", e);
        }
    }

    private static GatewayException garbage(String why) {
        return new GatewayException(GatewayError.of(ErrorKind.PROVIDER_ERROR, "Upstream returned an unusable message: " + why + "."));
    }

    /**
     * The response as Anthropic sends it. Tool-call arguments that are not one JSON object (a call cut short by
     * the token limit, say) are sent as {@code {"_raw": "<the text>"}}: Anthropic's {@code input} must be an
     * object, and the wrapper keeps what the model wrote for the client to see.
     */
    static byte[] write(ChatResponse response) {
        var out = new ByteArrayBuilder(512);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("id", response.id());
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", response.model());
            g.writeArrayFieldStart("content");
            for (Part part : response.output()) {
                switch (part) {
                    case Part.Text t -> {
                        g.writeStartObject();
                        g.writeStringField("type", "text");
                        g.writeStringField("text", t.text());
                        g.writeEndObject();
                    }
                    case Part.ToolCall call -> {
                        g.writeStartObject();
                        g.writeStringField("type", "tool_use");
                        g.writeStringField("id", call.id());
                        g.writeStringField("name", call.name());
                        writeInput(g, call.arguments());
                        g.writeEndObject();
                    }
                    // An answer has no slot for images or tool results; no model produces them.
                    case Part.Image i -> { }
                    case Part.ToolResult r -> { }
                }
            }
            g.writeEndArray();
            g.writeStringField("stop_reason", stopReason(response.finishReason()));
            g.writeNullField("stop_sequence");
            g.writeFieldName("usage");
            UsageFields.of(response.usage()).write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    private static void writeInput(JsonGenerator g, String arguments) throws IOException {
        g.writeFieldName("input");
        String object = ToolInput.asObject(arguments);
        if (object != null) {
            g.writeRawValue(object);
        } else {
            g.writeStartObject();
            g.writeStringField(RAW_ARGUMENTS, arguments);
            g.writeEndObject();
        }
    }

    /**
     * Anthropic's stop reason as a canonical one: {@code end_turn}, {@code stop_sequence} and {@code pause_turn}
     * (a long server-tool turn paused; the answer so far is complete) are a stop, {@code max_tokens} and
     * {@code model_context_window_exceeded} a length stop, {@code tool_use} tool calls, {@code refusal} a content
     * filter. Null or unknown reasons read as a stop.
     */
    static FinishReason finishReason(String stopReason) {
        if (stopReason == null) {
            return FinishReason.STOP;
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP;
        };
    }

    static String stopReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> "end_turn";
            case LENGTH -> "max_tokens";
            case TOOL_CALLS -> "tool_use";
            case CONTENT_FILTER -> "refusal";
        };
    }
}
