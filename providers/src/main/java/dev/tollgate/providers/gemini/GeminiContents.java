package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Role;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes canonical messages as Gemini {@code contents} and {@code systemInstruction}. The mapping, part by part:
 * <ul>
 *   <li>system and developer text goes to {@code systemInstruction}, wherever it stood in the conversation;</li>
 *   <li>text and images take the role of their message ({@code ASSISTANT} is {@code model}, everything else
 *       {@code user}); empty text is dropped, because Gemini refuses empty text parts;</li>
 *   <li>a tool call is a {@code functionCall} in a {@code model} turn, a tool result a {@code functionResponse} in a
 *       {@code user} turn, wherever the client put them (Anthropic puts results in user messages);</li>
 *   <li>consecutive parts of one role share one content, because Gemini expects turns to alternate.</li>
 * </ul>
 * Gemini names a function response by the function's name, not a call id: the name is the one of the latest earlier
 * tool call with the result's id, else the tool message's {@code name}; a result answering no known call is a 400.
 * Call ids are not sent: Gemini pairs calls and responses by name and order.
 *
 * <p>Gemini 3 refuses a replayed function call without the thought signature it was produced with. The canonical
 * model has no slot to carry signatures back, so the first function call of each model turn carries Google's
 * documented placeholder {@value #UNSIGNED}, which skips that check (earlier models ignore it).
 *
 * <p>One instance per request body; not thread-safe.
 */
final class GeminiContents {

    static final String UNSIGNED = "skip_thought_signature_validator";

    private final JsonGenerator g;
    private final Map<String, String> callNames = new HashMap<>();
    private final List<String> system = new ArrayList<>();
    /** The role of the content being written, null before the first. */
    private String open;
    private boolean signed;

    private GeminiContents(JsonGenerator g) {
        this.g = g;
    }

    /** Writes the {@code contents} field, then {@code systemInstruction} when there is system text. */
    static void write(JsonGenerator g, List<Message> messages) throws IOException {
        var contents = new GeminiContents(g);
        g.writeArrayFieldStart("contents");
        for (int i = 0; i < messages.size(); i++) {
            contents.message(messages.get(i), "messages[" + i + "]");
        }
        if (contents.open != null) {
            contents.closeContent();
        }
        g.writeEndArray();
        if (!contents.system.isEmpty()) {
            g.writeObjectFieldStart("systemInstruction");
            g.writeArrayFieldStart("parts");
            for (String text : contents.system) {
                g.writeStartObject();
                g.writeStringField("text", text);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private void message(Message message, String at) throws IOException {
        if (message.role() == Role.SYSTEM || message.role() == Role.DEVELOPER) {
            String text = message.text();
            if (!text.isEmpty()) {
                system.add(text);
            }
            return;
        }
        String role = message.role() == Role.ASSISTANT ? "model" : "user";
        for (Part part : message.parts()) {
            switch (part) {
                case Part.Text t -> {
                    if (!t.text().isEmpty()) {
                        openContent(role);
                        g.writeStartObject();
                        g.writeStringField("text", t.text());
                        g.writeEndObject();
                    }
                }
                case Part.Image i -> {
                    openContent(role);
                    ImagePart.write(g, i, at);
                }
                case Part.ToolCall c -> functionCall(c, at);
                case Part.ToolResult r -> functionResponse(r, message, at);
            }
        }
    }

    private void functionCall(Part.ToolCall call, String at) throws IOException {
        callNames.put(call.id(), call.name());
        openContent("model");
        g.writeStartObject();
        g.writeObjectFieldStart("functionCall");
        g.writeStringField("name", call.name());
        g.writeFieldName("args");
        GeminiJson.MAPPER.writeTree(g, arguments(call, at));
        g.writeEndObject();
        if (!signed) {
            signed = true;
            g.writeStringField("thoughtSignature", UNSIGNED);
        }
        g.writeEndObject();
    }

    /** Gemini's {@code args} is an object; blank arguments mean none. */
    private static JsonNode arguments(Part.ToolCall call, String at) {
        if (call.arguments().isBlank()) {
            return GeminiJson.MAPPER.createObjectNode();
        }
        JsonNode args = GeminiJson.treeOrNull(call.arguments());
        if (args == null || !args.isObject()) {
            throw new GatewayException(GatewayError.invalid(at, "invalid_value", "Invalid tool call '" + call.id()
                    + "' in '" + at + "': Gemini needs the arguments as a JSON object."));
        }
        return args;
    }

    private void functionResponse(Part.ToolResult result, Message message, String at) throws IOException {
        String name = callNames.getOrDefault(result.toolCallId(), message.name());
        if (name == null) {
            throw new GatewayException(GatewayError.invalid(at, "invalid_value", "The tool result in '" + at
                    + "' answers no earlier tool call with id '" + result.toolCallId()
                    + "'; Gemini needs the name of the function it answers."));
        }
        openContent("user");
        g.writeStartObject();
        g.writeObjectFieldStart("functionResponse");
        g.writeStringField("name", name);
        g.writeFieldName("response");
        GeminiJson.MAPPER.writeTree(g, response(result.content()));
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Gemini's {@code response} is an object: a JSON object goes as it is, anything else as {@code {"result": ...}}. */
    private static JsonNode response(String content) {
        JsonNode parsed = content.isBlank() ? null : GeminiJson.treeOrNull(content);
        if (parsed != null && parsed.isObject()) {
            return parsed;
        }
        var wrapped = GeminiJson.MAPPER.createObjectNode();
        if (parsed == null) {
            wrapped.put("result", content);
        } else {
            wrapped.set("result", parsed);
        }
        return wrapped;
    }

    private void openContent(String role) throws IOException {
        if (role.equals(open)) {
            return;
        }
        if (open != null) {
            closeContent();
        }
        open = role;
        signed = false;
        g.writeStartObject();
        g.writeStringField("role", role);
        g.writeArrayFieldStart("parts");
    }

    private void closeContent() throws IOException {
        g.writeEndArray();
        g.writeEndObject();
    }
}
