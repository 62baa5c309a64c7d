package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Role;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code messages} array of a chat completions request, streaming, with the exact parameter path
 * ({@code messages[3].content[1].type}) in every error. Stateless.
 */
final class MessageReader {

    /** More messages than any real conversation; the bound keeps a hostile body from building a huge list. */
    static final int MAX_MESSAGES = 10_000;

    private MessageReader() {}

    /** Reads the array at the current token. */
    static List<Message> read(JsonParser p) throws IOException {
        WireJson.expect(p, JsonToken.START_ARRAY, "messages", "an array");
        var messages = new ArrayList<Message>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (messages.size() == MAX_MESSAGES) {
                // Stop reading here: a million-message body costs no more than the first ten thousand.
                throw new GatewayException(GatewayError.invalid("messages", "too_many_messages",
                        "Invalid 'messages': a request may hold at most " + MAX_MESSAGES + " messages."));
            }
            messages.add(readMessage(p, "messages[" + messages.size() + "]"));
        }
        if (messages.isEmpty()) {
            throw new GatewayException(GatewayError.invalid("messages", "empty_array",
                    "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."));
        }
        return messages;
    }

    private static Message readMessage(JsonParser p, String at) throws IOException {
        WireJson.expect(p, JsonToken.START_OBJECT, at, "an object");
        String role = null;
        List<Part> content = null;
        String name = null;
        List<Part> toolCalls = List.of();
        String toolCallId = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "role" -> role = WireJson.string(p, at + ".role");
                case "content" -> content = readContent(p, at + ".content");
                case "name" -> name = WireJson.nullableString(p, at + ".name");
                case "tool_calls" -> toolCalls = readToolCalls(p, at + ".tool_calls");
                case "tool_call_id" -> toolCallId = WireJson.nullableString(p, at + ".tool_call_id");
                // refusal, audio, function_call: no canonical slot, and no upstream needs them back.
                default -> Json.consumeValue(p);
            }
        }
        if (role == null) {
            throw WireJson.missing(at + ".role");
        }
        Role kind = role(role, at + ".role");
        return switch (kind) {
            case TOOL -> {
                if (toolCallId == null) {
                    throw WireJson.missing(at + ".tool_call_id");
                }
                yield new Message(kind, List.of(new Part.ToolResult(toolCallId, textOnly(content, at + ".content"))), name);
            }
            case ASSISTANT -> {
                if (content == null && toolCalls.isEmpty()) {
                    throw WireJson.missing(at + ".content");
                }
                var parts = new ArrayList<Part>(toolCalls.size() + 1);
                if (content != null) {
                    parts.addAll(content);
                }
                parts.addAll(toolCalls);
                yield new Message(kind, parts, name);
            }
            case USER -> {
                if (content == null) {
                    throw WireJson.missing(at + ".content");
                }
                yield new Message(kind, content, name);
            }
            case SYSTEM, DEVELOPER -> new Message(kind, List.of(new Part.Text(textOnly(content, at + ".content"))), name);
        };
    }

    private static Role role(String role, String param) {
        return switch (role) {
            case "system" -> Role.SYSTEM;
            case "developer" -> Role.DEVELOPER;
            case "user" -> Role.USER;
            case "assistant" -> Role.ASSISTANT;
            case "tool" -> Role.TOOL;
            default -> throw WireJson.invalidValue(param, "Invalid value: '" + role
                    + "'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.");
        };
    }

    /** The text of content that may only hold text (system, developer and tool messages). */
    private static String textOnly(List<Part> content, String param) {
        if (content == null) {
            throw WireJson.missing(param);
        }
        if (content.size() == 1 && content.getFirst() instanceof Part.Text t) {
            return t.text();
        }
        var text = new StringBuilder();
        for (Part part : content) {
            if (!(part instanceof Part.Text t)) {
                throw WireJson.invalidValue(param, "Invalid '" + param + "': only text parts are allowed in this message.");
            }
            text.append(t.text());
        }
        return text.toString();
    }

    /** A string or an array of parts; null for JSON null. */
    private static List<Part> readContent(JsonParser p, String at) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> List.of(new Part.Text(p.getText()));
            case START_ARRAY -> {
                var parts = new ArrayList<Part>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    parts.add(readContentPart(p, at + "[" + parts.size() + "]"));
                }
                yield parts;
            }
            default -> throw WireJson.invalidType(at, "a string or an array", p.currentToken());
        };
    }

    private static Part readContentPart(JsonParser p, String at) throws IOException {
        WireJson.expect(p, JsonToken.START_OBJECT, at, "an object");
        String type = null;
        String text = null;
        String refusal = null;
        Part.Image image = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = WireJson.string(p, at + ".type");
                case "text" -> text = WireJson.string(p, at + ".text");
                case "refusal" -> refusal = WireJson.string(p, at + ".refusal");
                case "image_url" -> image = readImage(p, at + ".image_url");
                default -> Json.consumeValue(p);
            }
        }
        if (type == null) {
            throw WireJson.missing(at + ".type");
        }
        return switch (type) {
            case "text" -> new Part.Text(WireJson.required(text, at + ".text"));
            case "image_url" -> WireJson.required(image, at + ".image_url");
            // An assistant turn's refusal is what the model said instead of answering: text to whoever reads it next.
            case "refusal" -> new Part.Text(WireJson.required(refusal, at + ".refusal"));
            default -> throw WireJson.invalidValue(at + ".type", "Invalid value: '" + type
                    + "'. This gateway supports content parts of type 'text', 'image_url' and 'refusal'.");
        };
    }

    private static Part.Image readImage(JsonParser p, String at) throws IOException {
        WireJson.expect(p, JsonToken.START_OBJECT, at, "an object");
        String url = null;
        String detail = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "url" -> url = WireJson.string(p, at + ".url");
                case "detail" -> detail = WireJson.nullableString(p, at + ".detail");
                default -> Json.consumeValue(p);
            }
        }
        return new Part.Image(WireJson.required(url, at + ".url"), detail);
    }

    private static List<Part> readToolCalls(JsonParser p, String at) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return List.of();
        }
        WireJson.expect(p, JsonToken.START_ARRAY, at, "an array");
        var calls = new ArrayList<Part>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            calls.add(readToolCall(p, at + "[" + calls.size() + "]"));
        }
        return calls;
    }

    private static Part.ToolCall readToolCall(JsonParser p, String at) throws IOException {
        WireJson.expect(p, JsonToken.START_OBJECT, at, "an object");
        String id = null;
        String type = null;
        String name = null;
        String arguments = null;
        boolean function = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = WireJson.string(p, at + ".id");
                case "type" -> type = WireJson.string(p, at + ".type");
                case "function" -> {
                    function = true;
                    WireJson.expect(p, JsonToken.START_OBJECT, at + ".function", "an object");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = p.currentName();
                        p.nextToken();
                        switch (inner) {
                            case "name" -> name = WireJson.string(p, at + ".function.name");
                            case "arguments" -> arguments = WireJson.string(p, at + ".function.arguments");
                            default -> Json.consumeValue(p);
                        }
                    }
                }
                default -> Json.consumeValue(p);
            }
        }
        if (type != null && !type.equals("function")) {
            throw WireJson.invalidValue(at + ".type", "Invalid value: '" + type + "'. Supported values are: 'function'.");
        }
        if (!function) {
            throw WireJson.missing(at + ".function");
        }
        return new Part.ToolCall(WireJson.required(id, at + ".id"), WireJson.required(name, at + ".function.name"),
                WireJson.required(arguments, at + ".function.arguments"));
    }
}
