package dev.tollgate.providers.bedrock;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
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

/**
 * Writes a canonical chat request as a Bedrock Converse body ({@code messages}, {@code system},
 * {@code inferenceConfig}, {@code toolConfig}). The same body serves {@code converse} and {@code converse-stream}.
 * What Converse cannot express is refused with a 400 naming the field (JSON mode, {@code n > 1}, image URLs, foreign
 * fields) or dropped when dropping changes nothing a client relies on; {@code docs/providers/bedrock.md} has the
 * table. Stateless.
 */
final class ConverseRequestWriter {

    private ConverseRequestWriter() {}

    /** One Converse content block, validated, before it is written. */
    private sealed interface Block {
        record Text(String text) implements Block {}

        record Image(String format, String base64) implements Block {}

        record ToolUse(String id, String name, JsonNode input) implements Block {}

        record ToolResult(String toolUseId, String content) implements Block {}
    }

    /** A Converse message: Bedrock wants user and assistant turns to alternate, so same-role messages merge. */
    private record Turn(String role, List<Block> blocks) {}

    /** The body, or a {@link GatewayException} naming the field Bedrock cannot honour. */
    static byte[] write(ChatRequest request) {
        refuseInexpressible(request);
        var system = new ArrayList<String>();
        List<Turn> turns = turns(request.messages(), system);
        var out = new ByteArrayBuilder(1024);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("messages");
            for (Turn turn : turns) {
                writeTurn(g, turn);
            }
            g.writeEndArray();
            if (!system.isEmpty()) {
                g.writeArrayFieldStart("system");
                for (String text : system) {
                    g.writeStartObject();
                    g.writeStringField("text", text);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            writeInferenceConfig(g, request.sampling());
            writeToolConfig(g, request, hasToolBlocks(turns));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    private static void refuseInexpressible(ChatRequest request) {
        Integer n = request.sampling().n();
        if (n != null && n > 1) {
            throw new GatewayException(GatewayError.invalid("n", "parameter_not_supported",
                    "Amazon Bedrock returns one choice per request; 'n' must be 1."));
        }
        if (request.responseFormat() instanceof ResponseFormat.JsonObject
                || request.responseFormat() instanceof ResponseFormat.JsonSchema) {
            throw new GatewayException(GatewayError.invalid("response_format", "parameter_not_supported",
                    "Amazon Bedrock's Converse API has no JSON mode; use a tool with an input schema instead."));
        }
        ForeignFields.check(request.extensions(), ForeignFields.HARMLESS_CHAT);
    }

    /** System and developer text goes to {@code system}, wherever it stood; the rest becomes alternating turns. */
    private static List<Turn> turns(List<Message> messages, List<String> system) {
        var turns = new ArrayList<Turn>(messages.size());
        for (int m = 0; m < messages.size(); m++) {
            Message message = messages.get(m);
            if (message.role() == Role.SYSTEM || message.role() == Role.DEVELOPER) {
                systemText(message, m, system);
                continue;
            }
            // Converse has two roles; tool results travel in a user turn.
            String role = message.role() == Role.ASSISTANT ? "assistant" : "user";
            Turn turn = turns.isEmpty() ? null : turns.getLast();
            if (turn == null || !turn.role().equals(role)) {
                turn = new Turn(role, new ArrayList<>());
                turns.add(turn);
            }
            List<Part> parts = message.parts();
            for (int p = 0; p < parts.size(); p++) {
                Block block = block(parts.get(p), m, p);
                if (block != null) {
                    turn.blocks().add(block);
                }
            }
        }
        return turns;
    }

    private static void systemText(Message message, int m, List<String> system) {
        List<Part> parts = message.parts();
        for (int p = 0; p < parts.size(); p++) {
            if (!(parts.get(p) instanceof Part.Text text)) {
                throw new GatewayException(GatewayError.invalid(at(m, p), "invalid_value",
                        "Amazon Bedrock system prompts take text only."));
            }
            if (!text.text().isBlank()) {
                system.add(text.text());
            }
        }
    }

    /** The block for one part; null for blank text, which Bedrock refuses as a content block. */
    private static Block block(Part part, int m, int p) {
        return switch (part) {
            case Part.Text t -> t.text().isBlank() ? null : new Block.Text(t.text());
            case Part.Image i -> image(i.url(), at(m, p));
            case Part.ToolCall c -> new Block.ToolUse(c.id(), c.name(), toolInput(c.arguments(), at(m, p)));
            case Part.ToolResult r -> new Block.ToolResult(r.toolCallId(), r.content());
        };
    }

    private static String at(int message, int part) {
        return "messages[" + message + "].content[" + part + "]";
    }

    /** An inline {@code data:image/...;base64,} URL; Bedrock cannot fetch a URL, so anything else is refused. */
    private static Block image(String url, String param) {
        String prefix = "data:image/";
        int marker = url.indexOf(";base64,");
        if (!url.regionMatches(true, 0, prefix, 0, prefix.length()) || marker < 0) {
            throw new GatewayException(GatewayError.invalid(param, "invalid_value",
                    "Amazon Bedrock cannot fetch images by URL; send the image inline as a base64 data: URL."));
        }
        String format = switch (url.substring(prefix.length(), marker).toLowerCase(Locale.ROOT)) {
            case "png" -> "png";
            case "jpeg", "jpg" -> "jpeg";
            case "gif" -> "gif";
            case "webp" -> "webp";
            default -> throw new GatewayException(GatewayError.invalid(param, "invalid_value",
                    "Amazon Bedrock takes PNG, JPEG, GIF and WebP images only."));
        };
        return new Block.Image(format, url.substring(marker + ";base64,".length()));
    }

    /** Tool arguments as the JSON object Converse wants in {@code toolUse.input}; empty arguments mean none. */
    private static JsonNode toolInput(String arguments, String param) {
        if (arguments.isBlank()) {
            return Json.MAPPER.createObjectNode();
        }
        JsonNode input = BedrockJson.object(arguments);
        if (input == null) {
            throw new GatewayException(GatewayError.invalid(param, "invalid_value",
                    "Tool call arguments must be a JSON object for Amazon Bedrock."));
        }
        return input;
    }

    private static void writeTurn(JsonGenerator g, Turn turn) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", turn.role());
        g.writeArrayFieldStart("content");
        // Models on Bedrock (Claude) want a user turn after tool use to open with its tool results; merging a tool
        // message with the user message next to it must not bury them behind text.
        for (Block block : turn.blocks()) {
            if (block instanceof Block.ToolResult) {
                writeBlock(g, block);
            }
        }
        for (Block block : turn.blocks()) {
            if (!(block instanceof Block.ToolResult)) {
                writeBlock(g, block);
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeBlock(JsonGenerator g, Block block) throws IOException {
        g.writeStartObject();
        switch (block) {
            case Block.Text t -> g.writeStringField("text", t.text());
            case Block.Image i -> {
                g.writeObjectFieldStart("image");
                g.writeStringField("format", i.format());
                g.writeObjectFieldStart("source");
                g.writeStringField("bytes", i.base64());
                g.writeEndObject();
                g.writeEndObject();
            }
            case Block.ToolUse u -> {
                g.writeObjectFieldStart("toolUse");
                g.writeStringField("toolUseId", u.id());
                g.writeStringField("name", u.name());
                g.writeFieldName("input");
                g.writeTree(u.input());
                g.writeEndObject();
            }
            case Block.ToolResult r -> {
                // Text, not a json block: the canonical result is text, and not every model family on Bedrock
                // accepts json tool results.
                g.writeObjectFieldStart("toolResult");
                g.writeStringField("toolUseId", r.toolUseId());
                g.writeArrayFieldStart("content");
                g.writeStartObject();
                g.writeStringField("text", r.content());
                g.writeEndObject();
                g.writeEndArray();
                g.writeEndObject();
            }
        }
        g.writeEndObject();
    }

    /** Seed and the penalties have no Converse field and are dropped; the rest map one to one. */
    private static void writeInferenceConfig(JsonGenerator g, Sampling s) throws IOException {
        if (s.maxTokens() == null && s.temperature() == null && s.topP() == null && s.stop().isEmpty()) {
            return;
        }
        g.writeObjectFieldStart("inferenceConfig");
        if (s.maxTokens() != null) {
            g.writeNumberField("maxTokens", s.maxTokens());
        }
        if (s.temperature() != null) {
            g.writeNumberField("temperature", s.temperature());
        }
        if (s.topP() != null) {
            g.writeNumberField("topP", s.topP());
        }
        if (!s.stop().isEmpty()) {
            g.writeArrayFieldStart("stopSequences");
            for (String stop : s.stop()) {
                g.writeString(stop);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static boolean hasToolBlocks(List<Turn> turns) {
        for (Turn turn : turns) {
            for (Block block : turn.blocks()) {
                if (block instanceof Block.ToolUse || block instanceof Block.ToolResult) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Converse cannot say "tools exist but do not call one": a {@code none} choice drops the tool definitions. Bedrock
     * refuses a conversation holding toolUse or toolResult blocks without a {@code toolConfig}, though, so there the
     * definitions stay (with no {@code toolChoice}) and the model may still call a tool.
     */
    private static void writeToolConfig(JsonGenerator g, ChatRequest request, boolean toolHistory) throws IOException {
        ToolChoice choice = request.toolChoice();
        boolean none = choice instanceof ToolChoice.None;
        if (request.tools().isEmpty() || (none && !toolHistory)) {
            return;
        }
        g.writeObjectFieldStart("toolConfig");
        g.writeArrayFieldStart("tools");
        for (Tool tool : request.tools()) {
            g.writeStartObject();
            g.writeObjectFieldStart("toolSpec");
            g.writeStringField("name", tool.name());
            if (tool.description() != null) {
                g.writeStringField("description", tool.description());
            }
            g.writeObjectFieldStart("inputSchema");
            g.writeFieldName("json");
            g.writeRawValue(tool.parameters().json());
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
        if (choice != null && !none) {
            g.writeObjectFieldStart("toolChoice");
            if (choice instanceof ToolChoice.Named named) {
                g.writeObjectFieldStart("tool");
                g.writeStringField("name", named.name());
            } else {
                g.writeObjectFieldStart(choice instanceof ToolChoice.Required ? "any" : "auto");
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndObject();
    }
}
