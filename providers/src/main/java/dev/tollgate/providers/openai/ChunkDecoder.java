package dev.tollgate.providers.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI chat completions stream: each {@code chat.completion.chunk} becomes canonical events (a
 * {@link StreamEvent.Start} before the first chunk with choices, then text, tool-call and finish events, and a
 * {@link StreamEvent.UsageUpdate} for a chunk that carries usage). The include_usage chunk ({@code "choices":[]}
 * with usage) yields only its UsageUpdate, which is how the relay recognises the chunk to strip. An error object
 * yields a {@link StreamEvent.Failure}; {@code [DONE]} yields nothing but marks the stream finished.
 *
 * <p>One instance per stream, used from one thread; never blocks. After a failure or {@code [DONE]} further events
 * are ignored.
 */
final class ChunkDecoder implements StreamDecoder {

    private boolean started;
    private boolean done;
    private boolean failed;

    @Override
    public List<StreamEvent> onEvent(SseEvent event) {
        if (done || failed) {
            return List.of();
        }
        String data = event.data();
        if (data.equals("[DONE]")) {
            done = true;
            return List.of();
        }
        if (data.isBlank()) {
            return List.of();
        }
        JsonNode chunk;
        try {
            chunk = Json.MAPPER.readTree(data);
        } catch (IOException e) {
            return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR, "The upstream stream sent data that is not JSON."));
        }
        if (chunk == null || !chunk.isObject()) {
            return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR, "The upstream stream sent data that is not a JSON object."));
        }
        JsonNode error = chunk.get("error");
        if (error != null && !error.isNull()) {
            return fail(error.isObject()
                    ? UpstreamErrorClassifier.inStream(error)
                    : GatewayError.of(ErrorKind.PROVIDER_ERROR, error.isTextual() ? error.textValue()
                            : "The upstream provider reported an error in the stream."));
        }
        return decode(chunk);
    }

    private List<StreamEvent> decode(JsonNode chunk) {
        JsonNode choices = chunk.path("choices");
        JsonNode usage = chunk.get("usage");
        boolean hasUsage = usage != null && usage.isObject();
        var events = new ArrayList<StreamEvent>(3);
        if (choices.isArray() && !choices.isEmpty()) {
            if (!started) {
                started = true;
                events.add(new StreamEvent.Start(chunk.path("id").asText(""), chunk.path("model").asText(""),
                        chunk.path("created").asLong(0)));
            }
            for (JsonNode choice : choices) {
                choice(choice, events);
            }
        }
        // Some compatible servers put usage on the finish chunk instead of a separate one; it counts either way.
        if (hasUsage) {
            events.add(new StreamEvent.UsageUpdate(UsageJson.read(usage)));
        }
        return events;
    }

    private static void choice(JsonNode choice, List<StreamEvent> events) {
        int index = choice.path("index").asInt(0);
        JsonNode delta = choice.path("delta");
        String content = delta.path("content").textValue();
        if (content != null && !content.isEmpty()) {
            events.add(new StreamEvent.TextDelta(index, content));
        }
        String refusal = delta.path("refusal").textValue();
        if (refusal != null && !refusal.isEmpty()) {
            events.add(new StreamEvent.TextDelta(index, refusal));
        }
        for (JsonNode call : delta.path("tool_calls")) {
            JsonNode function = call.path("function");
            events.add(new StreamEvent.ToolCallDelta(call.path("index").asInt(0), call.path("id").textValue(),
                    function.path("name").textValue(), function.path("arguments").textValue()));
        }
        String finish = choice.path("finish_reason").textValue();
        if (finish != null) {
            events.add(new StreamEvent.Finish(ChatResponseCodec.finishReason(finish)));
        }
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
                GatewayError.of(ErrorKind.PROVIDER_ERROR, "upstream stream ended before [DONE]")));
    }
}
