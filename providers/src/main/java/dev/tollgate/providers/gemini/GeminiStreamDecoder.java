package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Gemini {@code streamGenerateContent?alt=sse} stream, where every {@code data:} is a whole
 * {@code GenerateContentResponse}: a {@link StreamEvent.Start} before the first chunk's events; per candidate, a
 * {@link StreamEvent.TextDelta} per text part and one {@link StreamEvent.ToolCallDelta} per function call, with id,
 * name and the complete arguments (Gemini never splits a call); a {@link StreamEvent.Finish} for a finish reason;
 * then a {@link StreamEvent.UsageUpdate} when the chunk's {@code usageMetadata} differs from the last one (Gemini
 * repeats its running totals on every chunk).
 *
 * <p>Gemini has no end marker: a stream is complete once a finish reason was seen, and one that ends before is a
 * {@link StreamEvent.Failure}. An error object or a blocked prompt is a Failure too, after which further events
 * are ignored. One instance per stream, used from one thread; never blocks.
 */
final class GeminiStreamDecoder implements StreamDecoder {

    private final long created;
    /** Function calls seen so far, by candidate index: numbers the calls and tells STOP from TOOL_CALLS. */
    private final Map<Integer, Integer> calls = new HashMap<>();
    private boolean started;
    private boolean finished;
    private boolean failed;
    private Usage lastUsage;

    /** {@code created} dates the stream's Start: Gemini dates nothing itself. */
    GeminiStreamDecoder(long created) {
        this.created = created;
    }

    @Override
    public List<StreamEvent> onEvent(SseEvent event) {
        if (failed || event.data().isBlank()) {
            return List.of();
        }
        JsonNode chunk = GeminiJson.treeOrNull(event.data());
        if (chunk == null || !chunk.isObject()) {
            return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR, "The upstream stream sent data that is not a JSON object."));
        }
        JsonNode error = chunk.get("error");
        if (error != null && !error.isNull()) {
            return fail(error.isObject()
                    ? GeminiErrors.inStream(error)
                    : GatewayError.of(ErrorKind.PROVIDER_ERROR, "The upstream provider reported an error in the stream."));
        }
        GatewayError blocked = GeminiCandidates.blocked(chunk);
        if (blocked != null) {
            return fail(blocked);
        }
        var events = new ArrayList<StreamEvent>(4);
        String responseId = chunk.path("responseId").asText("");
        if (!started) {
            started = true;
            events.add(new StreamEvent.Start(responseId, chunk.path("modelVersion").asText(""), created));
        }
        for (JsonNode candidate : chunk.path("candidates")) {
            candidate(candidate, responseId, events);
        }
        JsonNode metadata = chunk.get("usageMetadata");
        if (metadata != null && metadata.isObject()) {
            Usage usage = GeminiUsage.read(metadata);
            if (!usage.equals(lastUsage)) {
                lastUsage = usage;
                events.add(new StreamEvent.UsageUpdate(usage));
            }
        }
        return events;
    }

    private void candidate(JsonNode candidate, String responseId, List<StreamEvent> events) {
        int index = candidate.path("index").asInt(0);
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (GeminiCandidates.isThought(part)) {
                continue;
            }
            String text = part.path("text").textValue();
            JsonNode call = part.get("functionCall");
            if (text != null && !text.isEmpty()) {
                events.add(new StreamEvent.TextDelta(index, text));
            } else if (call != null && call.isObject()) {
                int number = calls.merge(index, 1, Integer::sum) - 1;
                events.add(new StreamEvent.ToolCallDelta(number, GeminiCandidates.callId(call, responseId, number),
                        call.path("name").asText(""), GeminiCandidates.arguments(call)));
            }
        }
        String finish = candidate.path("finishReason").textValue();
        if (finish != null && !finish.equals("FINISH_REASON_UNSPECIFIED")) {
            finished = true;
            events.add(new StreamEvent.Finish(GeminiCandidates.finishReason(finish, calls.getOrDefault(index, 0) > 0)));
        }
    }

    private List<StreamEvent> fail(GatewayError error) {
        failed = true;
        return List.of(new StreamEvent.Failure(error));
    }

    @Override
    public List<StreamEvent> onComplete() {
        if (failed || finished) {
            return List.of();
        }
        return fail(GatewayError.of(ErrorKind.PROVIDER_ERROR, "upstream stream ended before a finish reason"));
    }
}
