package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an Anthropic Messages stream into canonical events:
 * <ul>
 *   <li>{@code message_start}: {@link StreamEvent.Start} and a {@link StreamEvent.UsageUpdate} (input tokens) when
 *       it carries usage;</li>
 *   <li>{@code text_delta}: {@link StreamEvent.TextDelta} (choice 0);</li>
 *   <li>a {@code tool_use} block: a {@link StreamEvent.ToolCallDelta} with its id, name and an empty fragment when it
 *       starts, then one per non-empty {@code input_json_delta}; tool calls are numbered from 0 in the order their
 *       blocks start, counting only tool_use blocks;</li>
 *   <li>{@code message_delta}: {@link StreamEvent.Finish} for its stop reason and a UsageUpdate (cumulative
 *       counts, the message_start ones kept for fields it lacks);</li>
 *   <li>{@code error}: {@link StreamEvent.Failure}, classified by the error's type.</li>
 * </ul>
 * Thinking blocks ({@code thinking_delta}, {@code signature_delta}, redacted thinking) are not content another API
 * can carry and yield nothing (their tokens count as reasoning when the usage reports
 * {@code output_tokens_details.thinking_tokens}); so do citations, pings, {@code content_block_stop} and event types
 * Anthropic may add later. {@code message_stop} yields
 * nothing but marks the stream finished; a body that ends without it is a failure.
 *
 * <p>One instance per stream, used from one thread; never blocks. After a failure or {@code message_stop} further
 * events are ignored.
 */
final class EventDecoder implements StreamDecoder {

    private final long created;
    /** Content block index to tool call index, for tool_use blocks. */
    private final Map<Integer, Integer> toolCalls = new HashMap<>();
    private UsageFields usage = UsageFields.NONE;
    private boolean done;
    private boolean failed;

    /** {@code created} stands in for the creation time Anthropic does not send (seconds since the epoch). */
    EventDecoder(long created) {
        this.created = created;
    }

    @Override
    public List<StreamEvent> onEvent(SseEvent event) {
        if (done || failed || event.data().isBlank()) {
            return List.of();
        }
        JsonNode data;
        try {
            data = Json.MAPPER.readTree(event.data());
        } catch (IOException | IllegalStateException e) {
            return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR, "The upstream stream sent data that is not JSON."));
        }
        if (data == null || !data.isObject()) {
            return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR, "The upstream stream sent data that is not a JSON object."));
        }
        // The data's own type is authoritative; the SSE event name repeats it.
        String type = data.path("type").asText(event.event() == null ? "" : event.event());
        return switch (type) {
            case "message_start" -> messageStart(data.path("message"));
            case "content_block_start" -> blockStart(data.path("index").asInt(-1), data.path("content_block"));
            case "content_block_delta" -> blockDelta(data.path("index").asInt(-1), data.path("delta"));
            case "message_delta" -> messageDelta(data);
            case "message_stop" -> {
                done = true;
                yield List.of();
            }
            case "error" -> {
                JsonNode error = data.path("error");
                yield fail(error.isObject() ? UpstreamErrors.inStream(error)
                        : GatewayError.of(ErrorKind.PROVIDER_ERROR, "The upstream provider reported an error in the stream."));
            }
            default -> List.of();
        };
    }

    private List<StreamEvent> messageStart(JsonNode message) {
        var start = new StreamEvent.Start(message.path("id").asText(""), message.path("model").asText(""), created);
        JsonNode counts = message.get("usage");
        if (counts == null || !counts.isObject()) {
            // Nothing reported is not a reported zero.
            return List.of(start);
        }
        usage = usage.merge(counts);
        return List.of(start, new StreamEvent.UsageUpdate(usage.toUsage()));
    }

    private List<StreamEvent> blockStart(int index, JsonNode block) {
        switch (block.path("type").asText("")) {
            case "text" -> {
                String text = block.path("text").asText("");
                return text.isEmpty() ? List.of() : List.of(new StreamEvent.TextDelta(0, text));
            }
            case "tool_use" -> {
                if (index < 0 || toolCalls.containsKey(index)) {
                    return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR, "The upstream stream started a tool call at a bad index."));
                }
                int call = toolCalls.size();
                toolCalls.put(index, call);
                return List.of(new StreamEvent.ToolCallDelta(call, block.path("id").asText(""), block.path("name").asText(""), ""));
            }
            default -> {
                return List.of();
            }
        }
    }

    private List<StreamEvent> blockDelta(int index, JsonNode delta) {
        switch (delta.path("type").asText("")) {
            case "text_delta" -> {
                String text = delta.path("text").asText("");
                return text.isEmpty() ? List.of() : List.of(new StreamEvent.TextDelta(0, text));
            }
            case "input_json_delta" -> {
                Integer call = toolCalls.get(index);
                if (call == null) {
                    // A fragment of a call never started has no id or name to relay it under.
                    return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR,
                            "The upstream stream sent tool input for a block that is not a tool call."));
                }
                String fragment = delta.path("partial_json").asText("");
                return fragment.isEmpty() ? List.of() : List.of(new StreamEvent.ToolCallDelta(call, null, null, fragment));
            }
            default -> {
                return List.of();
            }
        }
    }

    private List<StreamEvent> messageDelta(JsonNode data) {
        var events = new ArrayList<StreamEvent>(2);
        String stopReason = data.path("delta").path("stop_reason").textValue();
        if (stopReason != null) {
            events.add(new StreamEvent.Finish(MessageCodec.finishReason(stopReason)));
        }
        JsonNode counts = data.get("usage");
        if (counts != null && counts.isObject()) {
            usage = usage.merge(counts);
            events.add(new StreamEvent.UsageUpdate(usage.toUsage()));
        }
        return events;
    }

    private List<StreamEvent> fail(GatewayError error) {
        failed = true;
        return List.of(new StreamEvent.Failure(error));
    }

    @Override
    public List<StreamEvent> onComplete() {
        if (done || failed) {
            return List.of();
        }
        failed = true;
        return List.of(new StreamEvent.Failure(
                GatewayError.of(ErrorKind.PROVIDER_ERROR, "upstream stream ended before message_stop")));
    }
}
