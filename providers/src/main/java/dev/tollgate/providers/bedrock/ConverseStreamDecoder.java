package dev.tollgate.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a ConverseStream reply, as the gateway's event-stream framer hands it over: one {@link SseEvent} per
 * event-stream message, {@code event} the {@code :event-type} ({@code exception:<type>} and {@code error:<code>} for
 * failures) and {@code data} the JSON payload.
 *
 * <ul>
 *   <li>{@code messageStart} is {@link StreamEvent.Start} (Converse names neither the reply nor the model, so both
 *       are empty, and {@code created} is the clock's second);</li>
 *   <li>{@code contentBlockStart} with {@code start.toolUse} opens the next tool call: a
 *       {@link StreamEvent.ToolCallDelta} with its id and name, at tool index 0, 1, ... in order of appearance;</li>
 *   <li>{@code contentBlockDelta}: {@code delta.text} is a {@link StreamEvent.TextDelta} of choice 0,
 *       {@code delta.toolUse.input} an arguments fragment of the block's tool call; reasoning deltas
 *       ({@code delta.reasoningContent}) are dropped, as non-streamed reasoning blocks are;</li>
 *   <li>{@code contentBlockStop} carries nothing;</li>
 *   <li>{@code messageStop} is {@link StreamEvent.Finish} and marks the stream complete;</li>
 *   <li>{@code metadata} is a {@link StreamEvent.UsageUpdate} (the same usage rule as non-streamed replies);</li>
 *   <li>an exception or error message is a {@link StreamEvent.Failure}, after which everything is ignored.</li>
 * </ul>
 *
 * <p>{@code messageStop} is the terminal marker, not {@code metadata}: once it arrived the client has the whole
 * answer and its finish reason, and a stream cut before the usage that follows only leaves usage to be estimated.
 * A stream that ends before {@code messageStop} ends in a failure. One instance per stream, one thread, never blocks.
 */
final class ConverseStreamDecoder implements StreamDecoder {

    private final long created;
    /** Converse content block index to canonical tool call index. */
    private final Map<Integer, Integer> toolIndex = new HashMap<>();
    private boolean stopped;
    private boolean failed;

    /** @param created the epoch second the {@link StreamEvent.Start} reports */
    ConverseStreamDecoder(long created) {
        this.created = created;
    }

    @Override
    public List<StreamEvent> onEvent(SseEvent event) {
        if (failed) {
            return List.of();
        }
        String type = event.event() == null ? "" : event.event();
        if (type.startsWith("exception:") || type.startsWith("error:")) {
            return fail(BedrockErrors.inStream(type, event.data()));
        }
        JsonNode payload = BedrockJson.object(event.data());
        if (payload == null) {
            return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR,
                    "Amazon Bedrock sent a stream event that is not a JSON object (" + type + ")."));
        }
        return switch (type) {
            case "messageStart" -> List.of(new StreamEvent.Start("", "", created));
            case "contentBlockStart" -> blockStart(payload);
            case "contentBlockDelta" -> blockDelta(payload);
            case "messageStop" -> {
                stopped = true;
                yield List.of(new StreamEvent.Finish(
                        ConverseResponseReader.finishReason(BedrockJson.text(payload, "stopReason"))));
            }
            case "metadata" -> payload.has("usage")
                    ? List.of(new StreamEvent.UsageUpdate(ConverseResponseReader.usage(payload.get("usage"))))
                    : List.of();
            // contentBlockStop, and event types newer than this decoder, carry nothing it can use.
            default -> List.of();
        };
    }

    private List<StreamEvent> blockStart(JsonNode payload) {
        JsonNode toolUse = payload.path("start").get("toolUse");
        if (toolUse == null || !toolUse.isObject()) {
            return List.of();
        }
        int index = toolIndex.size();
        toolIndex.put(payload.path("contentBlockIndex").asInt(0), index);
        return List.of(new StreamEvent.ToolCallDelta(index, toolUse.path("toolUseId").asText(""),
                toolUse.path("name").asText(""), null));
    }

    private List<StreamEvent> blockDelta(JsonNode payload) {
        JsonNode delta = payload.path("delta");
        String text = BedrockJson.text(delta, "text");
        if (text != null) {
            return text.isEmpty() ? List.of() : List.of(new StreamEvent.TextDelta(0, text));
        }
        JsonNode toolUse = delta.get("toolUse");
        if (toolUse == null || !toolUse.isObject()) {
            return List.of();
        }
        Integer index = toolIndex.get(payload.path("contentBlockIndex").asInt(0));
        if (index == null) {
            return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR,
                    "Amazon Bedrock streamed tool input for a content block it never started."));
        }
        String fragment = BedrockJson.text(toolUse, "input");
        return fragment == null || fragment.isEmpty()
                ? List.of()
                : List.of(new StreamEvent.ToolCallDelta(index, null, null, fragment));
    }

    private List<StreamEvent> fail(GatewayError error) {
        failed = true;
        return List.of(new StreamEvent.Failure(error));
    }

    @Override
    public List<StreamEvent> onComplete() {
        if (stopped || failed) {
            return List.of();
        }
        return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR, "The Amazon Bedrock stream ended before messageStop."));
    }
}
