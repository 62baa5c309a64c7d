package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Writes a canonical chat request as an OpenAI chat completions body aimed at one upstream model. Stateless. */
public final class ChatRequestWriter {

    private ChatRequestWriter() {}

    /**
     * The body for {@code upstreamModel}. A streamed request always asks for usage: the gateway needs it to settle
     * spend, and the relay strips it for a client that did not ask.
     */
    public static byte[] write(ChatRequest request, String upstreamModel) {
        var out = new ByteArrayBuilder(1024);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("model", upstreamModel);
            g.writeArrayFieldStart("messages");
            for (Message message : request.messages()) {
                writeMessage(g, message);
            }
            g.writeEndArray();
            writeSampling(g, request.sampling());
            if (!request.tools().isEmpty()) {
                g.writeArrayFieldStart("tools");
                for (Tool tool : request.tools()) {
                    writeTool(g, tool);
                }
                g.writeEndArray();
            }
            if (request.toolChoice() != null) {
                g.writeFieldName("tool_choice");
                writeToolChoice(g, request.toolChoice());
            }
            if (request.responseFormat() != null) {
                g.writeFieldName("response_format");
                writeResponseFormat(g, request.responseFormat());
            }
            if (request.stream()) {
                g.writeBooleanField("stream", true);
                g.writeObjectFieldStart("stream_options");
                g.writeBooleanField("include_usage", true);
                g.writeEndObject();
            }
            if (request.user() != null) {
                g.writeStringField("user", request.user());
            }
            // Sorted so the same request always gives the same bytes (the canonical map has no order). Another
            // dialect's extensions go through that dialect's table first.
            Map<String, RawJson> extensions = request.dialect().equals(OpenAiDialect.ID)
                    ? new TreeMap<>(request.extensions()) : ForeignExtensions.apply(request.extensions());
            for (Map.Entry<String, RawJson> extension : extensions.entrySet()) {
                g.writeFieldName(extension.getKey());
                g.writeRawValue(extension.getValue().json());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    private static void writeMessage(JsonGenerator g, Message message) throws IOException {
        // OpenAI answers each tool call with its own tool message; other dialects may carry several results (and
        // even text) in one turn, so results go first as tool messages and the rest follows as one message.
        var rest = new ArrayList<Part>(message.parts().size());
        for (Part part : message.parts()) {
            if (part instanceof Part.ToolResult result) {
                g.writeStartObject();
                g.writeStringField("role", "tool");
                g.writeStringField("tool_call_id", result.toolCallId());
                g.writeStringField("content", result.content());
                if (message.name() != null) {
                    g.writeStringField("name", message.name());
                }
                g.writeEndObject();
            } else {
                rest.add(part);
            }
        }
        if (rest.isEmpty() && message.role() == Role.TOOL) {
            return;
        }
        // Text left in a tool turn has no place in an OpenAI tool message; the caller wrote it, so it is user text.
        Role role = message.role() == Role.TOOL ? Role.USER : message.role();
        g.writeStartObject();
        g.writeStringField("role", role.name().toLowerCase(Locale.ROOT));
        writeContent(g, rest);
        if (message.name() != null) {
            g.writeStringField("name", message.name());
        }
        List<Part.ToolCall> calls = toolCalls(rest);
        if (!calls.isEmpty()) {
            WireJson.writeToolCalls(g, calls);
        }
        g.writeEndObject();
    }

    /** A lone text part as a plain string (what every OpenAI-compatible server accepts), else an array of parts. */
    private static void writeContent(JsonGenerator g, List<Part> parts) throws IOException {
        int text = 0;
        int image = 0;
        Part.Text only = null;
        for (Part part : parts) {
            if (part instanceof Part.Text t) {
                text++;
                only = t;
            } else if (part instanceof Part.Image) {
                image++;
            }
        }
        if (image == 0 && text <= 1) {
            if (only != null) {
                g.writeStringField("content", only.text());
            } else if (parts.isEmpty()) {
                g.writeStringField("content", "");
            } else {
                // An assistant turn with only tool calls: OpenAI itself sends content null there.
                g.writeNullField("content");
            }
            return;
        }
        g.writeArrayFieldStart("content");
        for (Part part : parts) {
            switch (part) {
                case Part.Text t -> {
                    g.writeStartObject();
                    g.writeStringField("type", "text");
                    g.writeStringField("text", t.text());
                    g.writeEndObject();
                }
                case Part.Image i -> {
                    g.writeStartObject();
                    g.writeStringField("type", "image_url");
                    g.writeObjectFieldStart("image_url");
                    g.writeStringField("url", i.url());
                    if (i.detail() != null) {
                        g.writeStringField("detail", i.detail());
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }
                // Tool calls go in tool_calls; results were written as tool messages before this one.
                case Part.ToolCall c -> { }
                case Part.ToolResult r -> { }
            }
        }
        g.writeEndArray();
    }

    private static List<Part.ToolCall> toolCalls(List<Part> parts) {
        var calls = new ArrayList<Part.ToolCall>(0);
        for (Part part : parts) {
            if (part instanceof Part.ToolCall call) {
                calls.add(call);
            }
        }
        return calls;
    }

    private static void writeSampling(JsonGenerator g, Sampling s) throws IOException {
        if (s.temperature() != null) {
            g.writeNumberField("temperature", s.temperature());
        }
        if (s.topP() != null) {
            g.writeNumberField("top_p", s.topP());
        }
        if (s.maxTokens() != null) {
            // max_tokens is deprecated upstream and refused by reasoning models; this name works for every model.
            g.writeNumberField("max_completion_tokens", s.maxTokens());
        }
        if (!s.stop().isEmpty()) {
            g.writeArrayFieldStart("stop");
            for (String stop : s.stop()) {
                g.writeString(stop);
            }
            g.writeEndArray();
        }
        if (s.seed() != null) {
            g.writeNumberField("seed", s.seed());
        }
        if (s.presencePenalty() != null) {
            g.writeNumberField("presence_penalty", s.presencePenalty());
        }
        if (s.frequencyPenalty() != null) {
            g.writeNumberField("frequency_penalty", s.frequencyPenalty());
        }
        if (s.n() != null) {
            g.writeNumberField("n", s.n());
        }
    }

    private static void writeTool(JsonGenerator g, Tool tool) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        g.writeStringField("name", tool.name());
        if (tool.description() != null) {
            g.writeStringField("description", tool.description());
        }
        g.writeFieldName("parameters");
        g.writeRawValue(tool.parameters().json());
        if (tool.strict()) {
            g.writeBooleanField("strict", true);
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeToolChoice(JsonGenerator g, ToolChoice choice) throws IOException {
        switch (choice) {
            case ToolChoice.Auto a -> g.writeString("auto");
            case ToolChoice.None n -> g.writeString("none");
            case ToolChoice.Required r -> g.writeString("required");
            case ToolChoice.Named named -> {
                g.writeStartObject();
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", named.name());
                g.writeEndObject();
                g.writeEndObject();
            }
        }
    }

    private static void writeResponseFormat(JsonGenerator g, ResponseFormat format) throws IOException {
        g.writeStartObject();
        switch (format) {
            case ResponseFormat.Text t -> g.writeStringField("type", "text");
            case ResponseFormat.JsonObject o -> g.writeStringField("type", "json_object");
            case ResponseFormat.JsonSchema s -> {
                g.writeStringField("type", "json_schema");
                g.writeObjectFieldStart("json_schema");
                g.writeStringField("name", s.name());
                if (s.description() != null) {
                    g.writeStringField("description", s.description());
                }
                g.writeFieldName("schema");
                g.writeRawValue(s.schema().json());
                if (s.strict()) {
                    g.writeBooleanField("strict", true);
                }
                g.writeEndObject();
            }
        }
        g.writeEndObject();
    }
}
