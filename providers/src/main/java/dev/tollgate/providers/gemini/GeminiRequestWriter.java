package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a canonical chat request as a Gemini {@code GenerateContentRequest} (the same body serves
 * {@code generateContent} and {@code streamGenerateContent}). Conversations go through {@link GeminiContents},
 * schemas through {@link GeminiSchema}, extensions through {@link GeminiExtensions}; a refusal is a
 * {@link dev.tollgate.core.model.GatewayException} (400, naming the field), thrown before anything is sent. The
 * client's {@code user} has no Gemini field and is dropped. Stateless.
 */
final class GeminiRequestWriter {

    private GeminiRequestWriter() {}

    static byte[] write(ChatRequest request) {
        GeminiExtensions extensions = GeminiExtensions.of(request.extensions());
        List<ObjectNode> parameters = new ArrayList<>(request.tools().size());
        for (int i = 0; i < request.tools().size(); i++) {
            parameters.add(GeminiSchema.parameters(request.tools().get(i).parameters(), "tools[" + i + "].parameters"));
        }
        ObjectNode responseSchema = request.responseFormat() instanceof ResponseFormat.JsonSchema s
                ? GeminiSchema.convert(s.schema(), "response_format")
                : null;
        return GeminiJson.write(1024, g -> {
            g.writeStartObject();
            GeminiContents.write(g, request.messages());
            if (!request.tools().isEmpty()) {
                writeTools(g, request.tools(), parameters);
                // A tool config without tools names functions that do not exist; Gemini refuses it.
                if (request.toolChoice() != null) {
                    writeToolConfig(g, request.toolChoice());
                }
            }
            writeGenerationConfig(g, request, responseSchema, extensions.generation());
            writeRaw(g, extensions.topLevel());
            g.writeEndObject();
        });
    }

    private static void writeTools(JsonGenerator g, List<Tool> tools, List<ObjectNode> parameters) throws IOException {
        g.writeArrayFieldStart("tools");
        g.writeStartObject();
        g.writeArrayFieldStart("functionDeclarations");
        for (int i = 0; i < tools.size(); i++) {
            Tool tool = tools.get(i);
            g.writeStartObject();
            g.writeStringField("name", tool.name());
            if (tool.description() != null) {
                g.writeStringField("description", tool.description());
            }
            if (parameters.get(i) != null) {
                g.writeFieldName("parameters");
                GeminiJson.MAPPER.writeTree(g, parameters.get(i));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndArray();
    }

    /** auto is AUTO, none NONE, required ANY, a named function ANY restricted to that name. */
    private static void writeToolConfig(JsonGenerator g, ToolChoice choice) throws IOException {
        g.writeObjectFieldStart("toolConfig");
        g.writeObjectFieldStart("functionCallingConfig");
        switch (choice) {
            case ToolChoice.Auto a -> g.writeStringField("mode", "AUTO");
            case ToolChoice.None n -> g.writeStringField("mode", "NONE");
            case ToolChoice.Required r -> g.writeStringField("mode", "ANY");
            case ToolChoice.Named named -> {
                g.writeStringField("mode", "ANY");
                g.writeArrayFieldStart("allowedFunctionNames");
                g.writeString(named.name());
                g.writeEndArray();
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeGenerationConfig(JsonGenerator g, ChatRequest request, ObjectNode responseSchema,
                                              Map<String, RawJson> extensions) throws IOException {
        Sampling s = request.sampling();
        String mimeType = switch (request.responseFormat()) {
            case null -> null;
            case ResponseFormat.Text t -> null;
            case ResponseFormat.JsonObject o -> "application/json";
            case ResponseFormat.JsonSchema schema -> "application/json";
        };
        boolean any = s.temperature() != null || s.topP() != null || s.maxTokens() != null || !s.stop().isEmpty()
                || s.seed() != null || s.presencePenalty() != null || s.frequencyPenalty() != null || s.n() != null
                || mimeType != null || !extensions.isEmpty();
        if (!any) {
            return;
        }
        g.writeObjectFieldStart("generationConfig");
        if (s.temperature() != null) {
            g.writeNumberField("temperature", s.temperature());
        }
        if (s.topP() != null) {
            g.writeNumberField("topP", s.topP());
        }
        if (s.maxTokens() != null) {
            g.writeNumberField("maxOutputTokens", s.maxTokens());
        }
        if (!s.stop().isEmpty()) {
            g.writeArrayFieldStart("stopSequences");
            for (String stop : s.stop()) {
                g.writeString(stop);
            }
            g.writeEndArray();
        }
        if (s.n() != null) {
            g.writeNumberField("candidateCount", s.n());
        }
        if (s.seed() != null) {
            g.writeNumberField("seed", s.seed());
        }
        if (s.presencePenalty() != null) {
            g.writeNumberField("presencePenalty", s.presencePenalty());
        }
        if (s.frequencyPenalty() != null) {
            g.writeNumberField("frequencyPenalty", s.frequencyPenalty());
        }
        if (mimeType != null) {
            g.writeStringField("responseMimeType", mimeType);
        }
        if (responseSchema != null) {
            g.writeFieldName("responseSchema");
            GeminiJson.MAPPER.writeTree(g, responseSchema);
        }
        writeRaw(g, extensions);
        g.writeEndObject();
    }

    private static void writeRaw(JsonGenerator g, Map<String, RawJson> fields) throws IOException {
        for (Map.Entry<String, RawJson> field : fields.entrySet()) {
            g.writeFieldName(field.getKey());
            g.writeRawValue(field.getValue().json());
        }
    }
}
