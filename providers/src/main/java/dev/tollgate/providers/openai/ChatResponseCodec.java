package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The {@code chat.completion} object, both ways: written for clients, read from upstreams. Stateless. */
final class ChatResponseCodec {

    private ChatResponseCodec() {}

    /** The response as OpenAI sends it: one choice with the text and tool calls, its finish reason, usage. */
    static byte[] write(ChatResponse response) {
        var out = new ByteArrayBuilder(512);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("id", response.id());
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", response.created());
            g.writeStringField("model", response.model());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            writeMessageBody(g, response.output());
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", wireName(response.finishReason()));
            g.writeEndObject();
            g.writeEndArray();
            g.writeFieldName("usage");
            UsageJson.write(g, response.usage());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    private static void writeMessageBody(JsonGenerator g, List<Part> output) throws IOException {
        StringBuilder text = null;
        List<Part.ToolCall> calls = new ArrayList<>(0);
        for (Part part : output) {
            switch (part) {
                case Part.Text t -> text = (text == null ? new StringBuilder() : text).append(t.text());
                case Part.ToolCall c -> calls.add(c);
                // A chat completion has no slot for images or tool results in an answer; no model produces them.
                case Part.Image i -> { }
                case Part.ToolResult r -> { }
            }
        }
        if (text == null) {
            g.writeNullField("content");
        } else {
            g.writeStringField("content", text.toString());
        }
        // OpenAI always sends refusal; strict client SDKs expect the field.
        g.writeNullField("refusal");
        if (!calls.isEmpty()) {
            WireJson.writeToolCalls(g, calls);
        }
    }

    /**
     * A 2xx upstream body as a canonical response (first choice only: the canonical response has one).
     * Throws {@link GatewayException} with {@link ErrorKind#PROVIDER_ERROR} when the body is not a completion.
     */
    static ChatResponse read(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw garbage("the upstream reply is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw garbage("the upstream reply is not a JSON object");
        }
        JsonNode choice = root.path("choices").path(0);
        if (!choice.isObject()) {
            throw garbage("the upstream reply has no choices");
        }
        JsonNode message = choice.path("message");
        var output = new ArrayList<Part>();
        String text = text(message.get("content"));
        if (text == null) {
            // A refusal is what the model said instead of answering; canonical responses carry it as text.
            text = message.path("refusal").textValue();
        }
        if (text != null) {
            output.add(new Part.Text(text));
        }
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            output.add(new Part.ToolCall(call.path("id").asText(""), function.path("name").asText(""),
                    function.path("arguments").asText("")));
        }
        return new ChatResponse(
                root.path("id").asText(""),
                root.path("model").asText(""),
                root.path("created").asLong(0),
                output,
                finishReason(choice.path("finish_reason").textValue()),
                UsageJson.read(root.get("usage")));
    }

    /** Content as a string, or the concatenated text parts some compatible servers send; null when absent. */
    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        var text = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").textValue())) {
                text.append(part.path("text").asText(""));
            }
        }
        return text.toString();
    }

    private static GatewayException garbage(String why) {
        return new GatewayException(GatewayError.of(ErrorKind.PROVIDER_ERROR, "Upstream returned an unusable completion: " + why + "."));
    }

    /** OpenAI's finish reason; {@code function_call} is the legacy name of tool calls, anything unknown ends as stop. */
    static FinishReason finishReason(String wire) {
        if (wire == null) {
            return FinishReason.STOP;
        }
        return switch (wire) {
            case "length" -> FinishReason.LENGTH;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP;
        };
    }

    static String wireName(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
        };
    }
}
