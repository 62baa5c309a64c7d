package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.OverrideFields;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an OpenAI chat completions request body into a {@link ChatRequest} in one streaming pass: no tree is built,
 * so a hostile body costs at most the bytes read before its first error. Stateless and thread-safe.
 */
final class ChatRequestReader {

    /** Tool definitions without {@code parameters} take no arguments, which is this schema. */
    static final RawJson NO_PARAMETERS = new RawJson("{\"type\":\"object\",\"properties\":{}}");

    private ChatRequestReader() {}

    /** The request, or a {@link dev.tollgate.core.model.GatewayException} naming the field at fault. */
    static ChatRequest read(byte[] body) {
        return Json.readObject(body, body.length, WireJson.MALFORMED, p -> {
            ChatRequest request = readObject(p, body);
            Json.requireEnd(p, WireJson.MALFORMED);
            return request;
        });
    }

    private static ChatRequest readObject(JsonParser p, byte[] body) throws IOException {
        String model = null;
        List<Message> messages = null;
        Double temperature = null;
        Double topP = null;
        Integer maxTokens = null;
        Integer maxCompletionTokens = null;
        List<String> stop = List.of();
        Long seed = null;
        Double presencePenalty = null;
        Double frequencyPenalty = null;
        Integer n = null;
        List<Tool> tools = List.of();
        ToolChoice toolChoice = null;
        ResponseFormat responseFormat = null;
        boolean stream = false;
        boolean includeUsage = false;
        String user = null;
        Map<String, RawJson> extensions = new HashMap<>();
        // Upstreams (Python's json) keep the last of duplicate keys while a reader may keep the first: refusing
        // duplicates keeps what the gateway routes and bills on identical to what the model receives.
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (!seen.add(name)) {
                throw WireJson.duplicate(name);
            }
            p.nextToken();
            switch (name) {
                case "model" -> model = WireJson.string(p, "model");
                case "messages" -> messages = MessageReader.read(p);
                case "temperature" -> temperature = WireJson.nullableNumber(p, name);
                case "top_p" -> topP = WireJson.nullableNumber(p, name);
                case "max_tokens" -> maxTokens = WireJson.nullableInt(p, name, 1);
                case "max_completion_tokens" -> maxCompletionTokens = WireJson.nullableInt(p, name, 1);
                case "stop" -> stop = readStop(p);
                case "seed" -> seed = WireJson.nullableLong(p, name);
                case "presence_penalty" -> presencePenalty = WireJson.nullableNumber(p, name);
                case "frequency_penalty" -> frequencyPenalty = WireJson.nullableNumber(p, name);
                case "n" -> n = WireJson.nullableInt(p, name, 1);
                case "tools" -> tools = readTools(p, body);
                case "tool_choice" -> toolChoice = readToolChoice(p);
                case "response_format" -> responseFormat = readResponseFormat(p, body);
                case "stream" -> stream = Boolean.TRUE.equals(WireJson.nullableBoolean(p, name));
                case "stream_options" -> includeUsage = readIncludeUsage(p);
                case "user" -> user = WireJson.nullableString(p, name);
                default -> {
                    OverrideFields.check(name);
                    extensions.put(name, Json.raw(p, body));
                }
            }
        }
        if (model == null) {
            throw WireJson.missing("model");
        }
        if (messages == null) {
            throw WireJson.missing("messages");
        }
        // max_completion_tokens is OpenAI's current name; max_tokens its deprecated alias.
        Integer limit = maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
        var sampling = new Sampling(temperature, topP, limit, stop, seed, presencePenalty, frequencyPenalty, n);
        return new ChatRequest(model, messages, sampling, tools, toolChoice, responseFormat, stream, includeUsage, user,
                extensions, OpenAiDialect.ID);
    }

    private static List<String> readStop(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NULL -> List.of();
            case VALUE_STRING -> List.of(p.getText());
            case START_ARRAY -> {
                var stop = new ArrayList<String>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    stop.add(WireJson.string(p, "stop[" + stop.size() + "]"));
                }
                yield stop;
            }
            default -> throw WireJson.invalidType("stop", "a string or an array of strings", p.currentToken());
        };
    }

    private static boolean readIncludeUsage(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return false;
        }
        WireJson.expect(p, JsonToken.START_OBJECT, "stream_options", "an object");
        boolean includeUsage = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("include_usage")) {
                includeUsage = Boolean.TRUE.equals(WireJson.nullableBoolean(p, "stream_options.include_usage"));
            } else {
                Json.consumeValue(p);
            }
        }
        return includeUsage;
    }

    private static List<Tool> readTools(JsonParser p, byte[] body) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return List.of();
        }
        WireJson.expect(p, JsonToken.START_ARRAY, "tools", "an array");
        var tools = new ArrayList<Tool>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            tools.add(readTool(p, body, "tools[" + tools.size() + "]"));
        }
        return tools;
    }

    private static Tool readTool(JsonParser p, byte[] body, String at) throws IOException {
        WireJson.expect(p, JsonToken.START_OBJECT, at, "an object");
        String type = null;
        Tool tool = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = WireJson.string(p, at + ".type");
                case "function" -> tool = readFunction(p, body, at + ".function");
                default -> Json.consumeValue(p);
            }
        }
        if (!"function".equals(WireJson.required(type, at + ".type"))) {
            throw WireJson.invalidValue(at + ".type", "Invalid value: '" + type + "'. Supported values are: 'function'.");
        }
        return WireJson.required(tool, at + ".function");
    }

    private static Tool readFunction(JsonParser p, byte[] body, String at) throws IOException {
        WireJson.expect(p, JsonToken.START_OBJECT, at, "an object");
        String name = null;
        String description = null;
        RawJson parameters = NO_PARAMETERS;
        boolean strict = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "name" -> name = WireJson.string(p, at + ".name");
                case "description" -> description = WireJson.nullableString(p, at + ".description");
                case "parameters" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        WireJson.expect(p, JsonToken.START_OBJECT, at + ".parameters", "an object");
                        parameters = Json.raw(p, body);
                    }
                }
                case "strict" -> strict = Boolean.TRUE.equals(WireJson.nullableBoolean(p, at + ".strict"));
                default -> Json.consumeValue(p);
            }
        }
        return new Tool(WireJson.required(name, at + ".name"), description, parameters, strict);
    }

    private static ToolChoice readToolChoice(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> switch (p.getText()) {
                case "auto" -> new ToolChoice.Auto();
                case "none" -> new ToolChoice.None();
                case "required" -> new ToolChoice.Required();
                default -> throw WireJson.invalidValue("tool_choice", "Invalid value: '" + p.getText()
                        + "'. Supported values are: 'none', 'auto' and 'required', or an object naming a function.");
            };
            case START_OBJECT -> readNamedChoice(p);
            default -> throw WireJson.invalidType("tool_choice", "a string or an object", p.currentToken());
        };
    }

    private static ToolChoice readNamedChoice(JsonParser p) throws IOException {
        String type = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = WireJson.string(p, "tool_choice.type");
                case "function" -> {
                    WireJson.expect(p, JsonToken.START_OBJECT, "tool_choice.function", "an object");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = p.currentName();
                        p.nextToken();
                        if (inner.equals("name")) {
                            name = WireJson.string(p, "tool_choice.function.name");
                        } else {
                            Json.consumeValue(p);
                        }
                    }
                }
                default -> Json.consumeValue(p);
            }
        }
        if (!"function".equals(WireJson.required(type, "tool_choice.type"))) {
            throw WireJson.invalidValue("tool_choice.type", "Invalid value: '" + type + "'. Supported values are: 'function'.");
        }
        return new ToolChoice.Named(WireJson.required(name, "tool_choice.function.name"));
    }

    private static ResponseFormat readResponseFormat(JsonParser p, byte[] body) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        WireJson.expect(p, JsonToken.START_OBJECT, "response_format", "an object");
        String type = null;
        String name = null;
        String description = null;
        RawJson schema = null;
        boolean strict = false;
        boolean hasSchemaObject = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = WireJson.string(p, "response_format.type");
                case "json_schema" -> {
                    hasSchemaObject = true;
                    WireJson.expect(p, JsonToken.START_OBJECT, "response_format.json_schema", "an object");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = p.currentName();
                        p.nextToken();
                        switch (inner) {
                            case "name" -> name = WireJson.string(p, "response_format.json_schema.name");
                            case "schema" -> {
                                WireJson.expect(p, JsonToken.START_OBJECT, "response_format.json_schema.schema", "an object");
                                schema = Json.raw(p, body);
                            }
                            case "strict" -> strict = Boolean.TRUE.equals(
                                    WireJson.nullableBoolean(p, "response_format.json_schema.strict"));
                            case "description" -> description = WireJson.nullableString(p,
                                    "response_format.json_schema.description");
                            default -> Json.consumeValue(p);
                        }
                    }
                }
                default -> Json.consumeValue(p);
            }
        }
        return switch (WireJson.required(type, "response_format.type")) {
            case "text" -> new ResponseFormat.Text();
            case "json_object" -> new ResponseFormat.JsonObject();
            case "json_schema" -> {
                if (!hasSchemaObject) {
                    throw WireJson.missing("response_format.json_schema");
                }
                // OpenAI makes the schema optional; an empty schema admits any JSON.
                yield new ResponseFormat.JsonSchema(WireJson.required(name, "response_format.json_schema.name"),
                        description, schema == null ? new RawJson("{}") : schema, strict);
            }
            default -> throw WireJson.invalidValue("response_format.type", "Invalid value: '" + type
                    + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
        };
    }
}
