package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.Role;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code messages} array of a Messages request into canonical messages, streaming, with the exact path
 * ({@code messages.3.content.1.source.data}) in every error. A user turn that answers tool calls becomes a
 * {@link Role#TOOL} message holding its {@link Part.ToolResult}s, followed by a user message with whatever else the
 * turn held (its text, and any images the tool results returned: a canonical tool result is text). Thinking blocks
 * are dropped: only Anthropic reads them, and a request that reaches Anthropic is forwarded as sent. Stateless.
 */
final class TurnReader {

    /** More messages than any real conversation; the bound keeps a hostile body from building a huge list. */
    static final int MAX_MESSAGES = 10_000;

    /** What marks a failed tool call's result for a model that has no {@code is_error} flag. */
    static final String ERROR_PREFIX = "Error: ";

    private TurnReader() {}

    static GatewayException tooManyMessages() {
        return new GatewayException(GatewayError.invalid("messages", "too_many_messages",
                "messages: a request may hold at most " + MAX_MESSAGES + " messages"));
    }

    static GatewayException emptyMessages() {
        return new GatewayException(GatewayError.invalid("messages", "empty_array",
                "messages: List should have at least 1 item after validation, not 0"));
    }

    /** One content block, read before the turn's role is known (fields come in any order). */
    private sealed interface Block {
        String at();
    }

    /** Text, an image or a tool call. */
    private record Content(Part part, String at) implements Block {}

    /** A tool result, with the images it returned. */
    private record Result(Part.ToolResult result, List<Part.Image> images, String at) implements Block {}

    /** A thinking block: dropped. */
    private record Dropped(String at) implements Block {}

    /** Reads the array at the current token. */
    static List<Message> read(JsonParser p, byte[] body) throws IOException {
        AnthropicJson.expect(p, JsonToken.START_ARRAY, "messages", "a valid list");
        var messages = new ArrayList<Message>();
        int count = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (count == MAX_MESSAGES) {
                // Stop reading here: a million-message body costs no more than the first ten thousand.
                throw tooManyMessages();
            }
            readTurn(p, body, "messages." + count, messages);
            count++;
        }
        if (count == 0) {
            throw emptyMessages();
        }
        return messages;
    }

    private static void readTurn(JsonParser p, byte[] body, String at, List<Message> out) throws IOException {
        AnthropicJson.expect(p, JsonToken.START_OBJECT, at, "a valid dictionary");
        String role = null;
        List<Block> content = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "role" -> role = AnthropicJson.string(p, at + ".role");
                case "content" -> content = readContent(p, body, at + ".content");
                default -> Json.consumeValue(p);
            }
        }
        if (role == null) {
            throw AnthropicJson.missing(at + ".role");
        }
        if (!role.equals("user") && !role.equals("assistant")) {
            throw AnthropicJson.invalidValue(at + ".role", "Input should be 'user' or 'assistant'");
        }
        if (content == null) {
            throw AnthropicJson.missing(at + ".content");
        }
        if (role.equals("assistant")) {
            out.add(assistant(content));
        } else {
            user(content, out);
        }
    }

    private static Message assistant(List<Block> content) {
        var parts = new ArrayList<Part>(content.size());
        for (Block block : content) {
            switch (block) {
                case Content c -> parts.add(c.part());
                case Result r -> throw AnthropicJson.invalidValue(r.at() + ".type",
                        "tool_result blocks are only allowed in user messages");
                case Dropped d -> { }
            }
        }
        return new Message(Role.ASSISTANT, parts, null);
    }

    private static void user(List<Block> content, List<Message> out) {
        var results = new ArrayList<Part>(0);
        var rest = new ArrayList<Part>(content.size());
        for (Block block : content) {
            switch (block) {
                case Content c -> {
                    if (c.part() instanceof Part.ToolCall) {
                        throw AnthropicJson.invalidValue(c.at() + ".type", "tool_use blocks are only allowed in assistant messages");
                    }
                    rest.add(c.part());
                }
                case Result r -> {
                    results.add(r.result());
                    rest.addAll(r.images());
                }
                case Dropped d -> { }
            }
        }
        if (!results.isEmpty()) {
            out.add(new Message(Role.TOOL, results, null));
        }
        if (results.isEmpty() || !rest.isEmpty()) {
            out.add(new Message(Role.USER, rest, null));
        }
    }

    /** A string (one text block) or an array of blocks. */
    private static List<Block> readContent(JsonParser p, byte[] body, String at) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> List.of(new Content(new Part.Text(p.getText()), at));
            case START_ARRAY -> {
                var blocks = new ArrayList<Block>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    blocks.add(readBlock(p, body, at + "." + blocks.size()));
                }
                yield blocks;
            }
            default -> throw AnthropicJson.invalidType(at, "a valid string or a valid list", p.currentToken());
        };
    }

    private static Block readBlock(JsonParser p, byte[] body, String at) throws IOException {
        AnthropicJson.expect(p, JsonToken.START_OBJECT, at, "a valid dictionary");
        String type = null;
        String text = null;
        ImageSource.Read source = null;
        String id = null;
        String name = null;
        RawJson input = null;
        String toolUseId = null;
        RawJson resultContent = null;
        boolean isError = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = AnthropicJson.string(p, at + ".type");
                case "text" -> text = AnthropicJson.string(p, at + ".text");
                case "source" -> source = ImageSource.read(p, at + ".source");
                case "id" -> id = AnthropicJson.string(p, at + ".id");
                case "name" -> name = AnthropicJson.string(p, at + ".name");
                case "input" -> {
                    AnthropicJson.expect(p, JsonToken.START_OBJECT, at + ".input", "a valid dictionary");
                    input = Json.raw(p, body);
                }
                case "tool_use_id" -> toolUseId = AnthropicJson.string(p, at + ".tool_use_id");
                // Kept as text and read once the type is known: other block types use the name for other shapes.
                case "content" -> resultContent = Json.raw(p, body);
                case "is_error" -> isError = Boolean.TRUE.equals(AnthropicJson.nullableBoolean(p, at + ".is_error"));
                // cache_control, citations, thinking, signature, data: nothing another provider can use.
                default -> Json.consumeValue(p);
            }
        }
        if (type == null) {
            throw AnthropicJson.missing(at + ".type");
        }
        return switch (type) {
            case "text" -> new Content(new Part.Text(required(text, at + ".text")), at);
            case "image" -> new Content(required(source, at + ".source").image(), at);
            case "tool_use" -> new Content(new Part.ToolCall(required(id, at + ".id"), required(name, at + ".name"),
                    required(input, at + ".input").json()), at);
            case "tool_result" -> toolResult(required(toolUseId, at + ".tool_use_id"), resultContent, isError, at);
            case "thinking", "redacted_thinking" -> new Dropped(at);
            default -> throw AnthropicJson.unsupported(at + ".type", "content blocks of type '" + type
                    + "' cannot be translated for this model's provider; supported types are 'text', 'image', "
                    + "'tool_use', 'tool_result', 'thinking' and 'redacted_thinking'");
        };
    }

    private static <T> T required(T value, String param) {
        if (value == null) {
            throw AnthropicJson.missing(param);
        }
        return value;
    }

    /**
     * A tool result: its text blocks joined by newlines, prefixed with {@value #ERROR_PREFIX} when {@code is_error}
     * (the canonical model, like OpenAI's API, has no flag for it); its images travel on in the user turn.
     */
    private static Result toolResult(String toolUseId, RawJson content, boolean isError, String at) throws IOException {
        var text = new StringBuilder();
        var images = new ArrayList<Part.Image>(0);
        if (content != null) {
            try (JsonParser p = Json.FACTORY.createParser(content.json())) {
                p.nextToken();
                readResultContent(p, at + ".content", text, images);
            }
        }
        String joined = isError ? ERROR_PREFIX + text : text.toString();
        return new Result(new Part.ToolResult(toolUseId, joined), images, at);
    }

    private static void readResultContent(JsonParser p, String at, StringBuilder text, List<Part.Image> images)
            throws IOException {
        switch (p.currentToken()) {
            case VALUE_NULL -> { }
            case VALUE_STRING -> text.append(p.getText());
            case START_ARRAY -> {
                int index = 0;
                boolean first = true;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    Part part = readResultBlock(p, at + "." + index++);
                    if (part instanceof Part.Image image) {
                        images.add(image);
                    } else {
                        text.append(first ? "" : "\n").append(((Part.Text) part).text());
                        first = false;
                    }
                }
            }
            default -> throw AnthropicJson.invalidType(at, "a valid string or a valid list", p.currentToken());
        }
    }

    private static Part readResultBlock(JsonParser p, String at) throws IOException {
        AnthropicJson.expect(p, JsonToken.START_OBJECT, at, "a valid dictionary");
        String type = null;
        String text = null;
        ImageSource.Read source = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = AnthropicJson.string(p, at + ".type");
                case "text" -> text = AnthropicJson.string(p, at + ".text");
                case "source" -> source = ImageSource.read(p, at + ".source");
                default -> Json.consumeValue(p);
            }
        }
        return switch (required(type, at + ".type")) {
            case "text" -> new Part.Text(required(text, at + ".text"));
            case "image" -> required(source, at + ".source").image();
            default -> throw AnthropicJson.unsupported(at + ".type", "tool results of type '" + type
                    + "' cannot be translated for this model's provider; supported types are 'text' and 'image'");
        };
    }
}
