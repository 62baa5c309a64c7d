package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.OverrideFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an Anthropic Messages request body into a {@link ChatRequest} in one streaming pass, no tree built: a
 * hostile body costs at most the bytes read before its first error. Fields without a canonical slot ({@code top_k},
 * {@code thinking}, {@code service_tier}, ...) are kept in {@link ChatRequest#extensions()} byte for byte, as is a
 * {@code metadata} object holding more than {@code user_id}. Stateless and thread-safe.
 */
final class MessagesRequestReader {

    /**
     * The extension carrying {@code tool_choice.disable_parallel_tool_use: true}, which has no canonical slot: raw
     * {@code true}, under the name Anthropic gives the field.
     */
    static final String DISABLE_PARALLEL_TOOL_USE = "disable_parallel_tool_use";

    private MessagesRequestReader() {}

    /**
     * The request, or a {@link dev.tollgate.core.model.GatewayException} naming the field at fault.
     * {@code requireMaxTokens} is false for {@code count_tokens} bodies, which have none.
     */
    static ChatRequest read(byte[] body, boolean requireMaxTokens) {
        return Json.readObject(body, body.length, AnthropicJson.MALFORMED, p -> {
            ChatRequest request = readObject(p, body, requireMaxTokens);
            Json.requireEnd(p, AnthropicJson.MALFORMED);
            return request;
        });
    }

    private static ChatRequest readObject(JsonParser p, byte[] body, boolean requireMaxTokens) throws IOException {
        String model = null;
        List<Message> turns = null;
        List<Message> system = List.of();
        Integer maxTokens = null;
        Double temperature = null;
        Double topP = null;
        List<String> stop = List.of();
        boolean stream = false;
        List<Tool> tools = List.of();
        ToolChoice toolChoice = null;
        String user = null;
        Map<String, RawJson> extensions = new HashMap<>();
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (!seen.add(field)) {
                throw AnthropicJson.duplicate(field);
            }
            p.nextToken();
            switch (field) {
                case "model" -> model = AnthropicJson.string(p, "model");
                case "messages" -> turns = TurnReader.read(p, body);
                case "max_tokens" -> maxTokens = AnthropicJson.positiveInt(p, "max_tokens");
                case "system" -> system = readSystem(p);
                case "temperature" -> temperature = AnthropicJson.nullableNumber(p, "temperature");
                case "top_p" -> topP = AnthropicJson.nullableNumber(p, "top_p");
                case "stop_sequences" -> stop = readStrings(p, "stop_sequences");
                case "stream" -> stream = Boolean.TRUE.equals(AnthropicJson.nullableBoolean(p, "stream"));
                case "tools" -> tools = readTools(p, body);
                case "tool_choice" -> toolChoice = readToolChoice(p, extensions);
                case "metadata" -> user = readMetadata(p, body, extensions);
                default -> {
                    OverrideFields.check(field);
                    extensions.put(field, Json.raw(p, body));
                }
            }
        }
        if (model == null) {
            throw AnthropicJson.missing("model");
        }
        if (turns == null) {
            throw AnthropicJson.missing("messages");
        }
        if (requireMaxTokens && maxTokens == null) {
            throw AnthropicJson.missing("max_tokens");
        }
        var messages = new ArrayList<Message>(system.size() + turns.size());
        messages.addAll(system);
        messages.addAll(turns);
        return new ChatRequest(model, messages, new Sampling(temperature, topP, maxTokens, stop, null, null, null, null),
                tools, toolChoice, null, stream, true, user, extensions, AnthropicDialect.ID);
    }

    /** A string, or an array of text blocks (one system message each, so their boundaries survive); null is none. */
    private static List<Message> readSystem(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NULL -> List.of();
            case VALUE_STRING -> p.getText().isEmpty() ? List.of() : List.of(Message.text(Role.SYSTEM, p.getText()));
            case START_ARRAY -> {
                var messages = new ArrayList<Message>();
                int index = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    messages.add(Message.text(Role.SYSTEM, readSystemBlock(p, "system." + index++)));
                }
                yield messages;
            }
            default -> throw AnthropicJson.invalidType("system", "a valid string or a valid list", p.currentToken());
        };
    }

    private static String readSystemBlock(JsonParser p, String at) throws IOException {
        AnthropicJson.expect(p, JsonToken.START_OBJECT, at, "a valid dictionary");
        String type = null;
        String text = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = AnthropicJson.string(p, at + ".type");
                case "text" -> text = AnthropicJson.string(p, at + ".text");
                // cache_control, citations: prompt-cache hints only Anthropic reads.
                default -> Json.consumeValue(p);
            }
        }
        if (type == null) {
            throw AnthropicJson.missing(at + ".type");
        }
        if (!type.equals("text")) {
            throw AnthropicJson.invalidValue(at + ".type", "Input should be 'text'");
        }
        if (text == null) {
            throw AnthropicJson.missing(at + ".text");
        }
        return text;
    }

    private static List<String> readStrings(JsonParser p, String param) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return List.of();
        }
        AnthropicJson.expect(p, JsonToken.START_ARRAY, param, "a valid list");
        var values = new ArrayList<String>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            values.add(AnthropicJson.string(p, param + "." + values.size()));
        }
        return values;
    }

    private static List<Tool> readTools(JsonParser p, byte[] body) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return List.of();
        }
        AnthropicJson.expect(p, JsonToken.START_ARRAY, "tools", "a valid list");
        var tools = new ArrayList<Tool>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            tools.add(readTool(p, body, "tools." + tools.size()));
        }
        return tools;
    }

    private static Tool readTool(JsonParser p, byte[] body, String at) throws IOException {
        AnthropicJson.expect(p, JsonToken.START_OBJECT, at, "a valid dictionary");
        String type = null;
        String name = null;
        String description = null;
        RawJson schema = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = AnthropicJson.nullableString(p, at + ".type");
                case "name" -> name = AnthropicJson.string(p, at + ".name");
                case "description" -> description = AnthropicJson.nullableString(p, at + ".description");
                case "input_schema" -> {
                    AnthropicJson.expect(p, JsonToken.START_OBJECT, at + ".input_schema", "a valid dictionary");
                    schema = Json.raw(p, body);
                }
                // cache_control and the like: hints only Anthropic reads.
                default -> Json.consumeValue(p);
            }
        }
        if (type != null && !type.equals("custom")) {
            // Anthropic-defined tools (bash, web search, ...) run on or are shaped by Anthropic's side.
            throw AnthropicJson.unsupported(at + ".type", "tools of type '" + type
                    + "' cannot be translated for this model's provider; only custom tools can");
        }
        if (name == null) {
            throw AnthropicJson.missing(at + ".name");
        }
        if (schema == null) {
            throw AnthropicJson.missing(at + ".input_schema");
        }
        return new Tool(name, description, schema);
    }

    /** The choice; {@code disable_parallel_tool_use: true} goes to {@code extensions} (see the constant). */
    private static ToolChoice readToolChoice(JsonParser p, Map<String, RawJson> extensions) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        AnthropicJson.expect(p, JsonToken.START_OBJECT, "tool_choice", "a valid dictionary");
        String type = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = AnthropicJson.string(p, "tool_choice.type");
                case "name" -> name = AnthropicJson.string(p, "tool_choice.name");
                case DISABLE_PARALLEL_TOOL_USE -> {
                    if (Boolean.TRUE.equals(AnthropicJson.nullableBoolean(p, "tool_choice." + DISABLE_PARALLEL_TOOL_USE))) {
                        extensions.put(DISABLE_PARALLEL_TOOL_USE, new RawJson("true"));
                    }
                }
                default -> Json.consumeValue(p);
            }
        }
        if (type == null) {
            throw AnthropicJson.missing("tool_choice.type");
        }
        return switch (type) {
            case "auto" -> new ToolChoice.Auto();
            case "any" -> new ToolChoice.Required();
            case "none" -> new ToolChoice.None();
            case "tool" -> {
                if (name == null) {
                    throw AnthropicJson.missing("tool_choice.name");
                }
                yield new ToolChoice.Named(name);
            }
            default -> throw AnthropicJson.invalidValue("tool_choice.type", "Input should be 'auto', 'any', 'tool' or 'none'");
        };
    }

    /**
     * {@code metadata.user_id} is the canonical user. A metadata object with other members as well is kept whole
     * in {@code extensions}, so an Anthropic upstream still gets every member.
     */
    private static String readMetadata(JsonParser p, byte[] body, Map<String, RawJson> extensions) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        AnthropicJson.expect(p, JsonToken.START_OBJECT, "metadata", "a valid dictionary");
        int start = (int) p.currentTokenLocation().getByteOffset();
        String user = null;
        boolean others = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("user_id")) {
                user = AnthropicJson.nullableString(p, "metadata.user_id");
            } else {
                others = true;
                Json.consumeValue(p);
            }
        }
        if (others) {
            int end = (int) p.currentLocation().getByteOffset();
            extensions.put("metadata", new RawJson(new String(body, start, end - start, StandardCharsets.UTF_8)));
        }
        return user;
    }
}
