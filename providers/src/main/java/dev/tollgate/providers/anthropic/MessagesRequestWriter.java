package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a canonical chat request as an Anthropic Messages body aimed at one upstream model. System and developer
 * messages become {@code system}; the rest become alternating user and assistant turns (tool messages are user
 * turns, consecutive turns of one role are merged, tool results lead their turn, empty text is dropped), as
 * Anthropic requires. What Anthropic cannot honour is refused with a 400 naming the client's field ({@code n}
 * above 1, a JSON {@code response_format}, tool-call arguments that are not a JSON object, an image that is neither
 * an http(s) nor a base64 data: URL); {@code seed} and the penalties are dropped. Stateless.
 */
final class MessagesRequestWriter {

    /** Anthropic requires {@code max_tokens}; this is what a request that does not say gets. */
    static final int DEFAULT_MAX_TOKENS = 4096;

    /** Fields this writer sets itself, which an extension must not repeat. */
    private static final Set<String> OWN_FIELDS = Set.of("model", "max_tokens", "system", "messages", "tools",
            "tool_choice", "temperature", "top_p", "stop_sequences", "metadata", "stream");

    private MessagesRequestWriter() {}

    /** One canonical part on its way into a turn, with the client's name for it in case it must be refused. */
    private record Block(Part part, String param) {}

    private record Turn(String role, List<Block> blocks) {}

    /** The body for {@code upstreamModel}; throws {@link GatewayException} (400) for what Anthropic cannot honour. */
    static byte[] write(ChatRequest request, String upstreamModel) {
        refuseWhatCannotBeHonoured(request);
        boolean own = request.dialect().equals(AnthropicDialect.ID);
        boolean disableParallel;
        String user = request.user();
        if (own) {
            RawJson flag = request.extensions().get(MessagesRequestReader.DISABLE_PARALLEL_TOOL_USE);
            disableParallel = flag != null && flag.json().strip().equals("true");
        } else {
            ForeignExtensions.Applied applied = ForeignExtensions.apply(request.extensions());
            disableParallel = applied.disableParallelToolUse();
            if (user == null) {
                user = applied.userId();
            }
        }
        var system = new ArrayList<String>(1);
        List<Turn> turns = turns(request.messages(), system);
        var out = new ByteArrayBuilder(1024);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("model", upstreamModel);
            Sampling s = request.sampling();
            g.writeNumberField("max_tokens", s.maxTokens() != null ? s.maxTokens() : DEFAULT_MAX_TOKENS);
            writeSystem(g, system);
            g.writeArrayFieldStart("messages");
            for (Turn turn : turns) {
                writeTurn(g, turn);
            }
            g.writeEndArray();
            writeTools(g, request, disableParallel);
            writeSampling(g, s);
            RawJson metadata = own ? request.extensions().get("metadata") : null;
            if (metadata != null) {
                g.writeFieldName("metadata");
                g.writeRawValue(metadata.json());
            } else if (user != null) {
                g.writeObjectFieldStart("metadata");
                g.writeStringField("user_id", user);
                g.writeEndObject();
            }
            if (request.stream()) {
                g.writeBooleanField("stream", true);
            }
            if (own) {
                // Sorted so the same request always gives the same bytes (the canonical map has no order).
                for (Map.Entry<String, RawJson> extension : new TreeMap<>(request.extensions()).entrySet()) {
                    String name = extension.getKey();
                    if (!OWN_FIELDS.contains(name) && !name.equals(MessagesRequestReader.DISABLE_PARALLEL_TOOL_USE)) {
                        g.writeFieldName(name);
                        g.writeRawValue(extension.getValue().json());
                    }
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    private static void refuseWhatCannotBeHonoured(ChatRequest request) {
        Integer n = request.sampling().n();
        if (n != null && n > 1) {
            throw new GatewayException(GatewayError.invalid("n", "unsupported_value",
                    "Invalid 'n': this model's provider (Anthropic) returns one choice per request; send n=1 or omit it."));
        }
        if (request.responseFormat() instanceof ResponseFormat.JsonObject
                || request.responseFormat() instanceof ResponseFormat.JsonSchema) {
            throw new GatewayException(GatewayError.invalid("response_format", "unsupported_value",
                    "Invalid 'response_format': this model's provider (Anthropic) has no JSON mode; ask for JSON in the "
                            + "prompt, or use a tool whose input schema is the shape you want."));
        }
    }

    /** The turns of {@code messages}, collecting system text into {@code system} on the way. */
    private static List<Turn> turns(List<Message> messages, List<String> system) {
        var turns = new ArrayList<Turn>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            if (message.role() == Role.SYSTEM || message.role() == Role.DEVELOPER) {
                if (!message.text().isEmpty()) {
                    system.add(message.text());
                }
                continue;
            }
            var blocks = new ArrayList<Block>(message.parts().size());
            int call = 0;
            for (int j = 0; j < message.parts().size(); j++) {
                Part part = message.parts().get(j);
                String param = switch (part) {
                    case Part.Image image -> "messages[" + i + "].content[" + j + "].image_url.url";
                    case Part.ToolCall c -> "messages[" + i + "].tool_calls[" + call++ + "].function.arguments";
                    case Part.Text t -> null;
                    case Part.ToolResult r -> null;
                };
                // Anthropic refuses empty text blocks; an empty part says nothing anyway.
                if (!(part instanceof Part.Text t && t.text().isEmpty())) {
                    blocks.add(new Block(part, param));
                }
            }
            if (blocks.isEmpty()) {
                continue;
            }
            String role = message.role() == Role.ASSISTANT ? "assistant" : "user";
            if (!turns.isEmpty() && turns.getLast().role().equals(role)) {
                turns.getLast().blocks().addAll(blocks);
            } else {
                turns.add(new Turn(role, blocks));
            }
        }
        for (Turn turn : turns) {
            // Anthropic wants a turn's tool results before anything else in it; the sort is stable.
            turn.blocks().sort((a, b) -> Boolean.compare(!(a.part() instanceof Part.ToolResult), !(b.part() instanceof Part.ToolResult)));
        }
        return turns;
    }

    private static void writeSystem(JsonGenerator g, List<String> system) throws IOException {
        if (system.size() == 1) {
            g.writeStringField("system", system.getFirst());
        } else if (system.size() > 1) {
            g.writeArrayFieldStart("system");
            for (String text : system) {
                writeText(g, text);
            }
            g.writeEndArray();
        }
    }

    private static void writeTurn(JsonGenerator g, Turn turn) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", turn.role());
        g.writeArrayFieldStart("content");
        for (Block block : turn.blocks()) {
            switch (block.part()) {
                case Part.Text t -> writeText(g, t.text());
                case Part.Image image -> {
                    g.writeStartObject();
                    g.writeStringField("type", "image");
                    g.writeFieldName("source");
                    ImageSource.write(g, image.url(), block.param());
                    g.writeEndObject();
                }
                case Part.ToolCall call -> {
                    String input = ToolInput.asObject(call.arguments());
                    if (input == null) {
                        throw new GatewayException(GatewayError.invalid(block.param(), "invalid_value", "Invalid '"
                                + block.param() + "': Anthropic needs tool-call arguments to be one JSON object."));
                    }
                    g.writeStartObject();
                    g.writeStringField("type", "tool_use");
                    g.writeStringField("id", call.id());
                    g.writeStringField("name", call.name());
                    g.writeFieldName("input");
                    g.writeRawValue(input);
                    g.writeEndObject();
                }
                case Part.ToolResult result -> {
                    g.writeStartObject();
                    g.writeStringField("type", "tool_result");
                    g.writeStringField("tool_use_id", result.toolCallId());
                    // An empty result is sent without content, which Anthropic takes; an empty text it may not.
                    if (!result.content().isEmpty()) {
                        g.writeStringField("content", result.content());
                    }
                    g.writeEndObject();
                }
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeText(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "text");
        g.writeStringField("text", text);
        g.writeEndObject();
    }

    /**
     * Tools and the choice among them. {@code disableParallel} rides on the choice; with no explicit choice it needs
     * an {@code auto} one, and only when there are tools (Anthropic refuses a choice without them).
     */
    private static void writeTools(JsonGenerator g, ChatRequest request, boolean disableParallel) throws IOException {
        if (!request.tools().isEmpty()) {
            g.writeArrayFieldStart("tools");
            for (Tool tool : request.tools()) {
                g.writeStartObject();
                g.writeStringField("name", tool.name());
                if (tool.description() != null) {
                    g.writeStringField("description", tool.description());
                }
                g.writeFieldName("input_schema");
                g.writeRawValue(tool.parameters().json());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        ToolChoice choice = request.toolChoice();
        if (choice == null && (!disableParallel || request.tools().isEmpty())) {
            return;
        }
        g.writeObjectFieldStart("tool_choice");
        switch (choice) {
            case null -> g.writeStringField("type", "auto");
            case ToolChoice.Auto a -> g.writeStringField("type", "auto");
            case ToolChoice.Required r -> g.writeStringField("type", "any");
            case ToolChoice.None n -> g.writeStringField("type", "none");
            case ToolChoice.Named named -> {
                g.writeStringField("type", "tool");
                g.writeStringField("name", named.name());
            }
        }
        // Anthropic's "none" choice takes no other field; no tool call means no parallel ones either.
        if (disableParallel && !(choice instanceof ToolChoice.None)) {
            g.writeBooleanField("disable_parallel_tool_use", true);
        }
        g.writeEndObject();
    }

    /** Temperature, top_p and stop sequences; seed, penalties and n have no Anthropic field (n > 1 was refused). */
    private static void writeSampling(JsonGenerator g, Sampling s) throws IOException {
        if (s.temperature() != null) {
            g.writeNumberField("temperature", s.temperature());
        }
        if (s.topP() != null) {
            g.writeNumberField("top_p", s.topP());
        }
        if (!s.stop().isEmpty()) {
            g.writeArrayFieldStart("stop_sequences");
            for (String stop : s.stop()) {
                g.writeString(stop);
            }
            g.writeEndArray();
        }
    }
}
