package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a non-streamed {@code GenerateContentResponse}: the first candidate's text and function calls (adjacent
 * text parts joined, thought summaries skipped), its finish reason, and usage. Stateless.
 */
final class GeminiResponseReader {

    private GeminiResponseReader() {}

    /**
     * The canonical response; {@code created} is the time the gateway read it, because Gemini dates nothing.
     * Throws a {@link GatewayException}: the content-filter error for a blocked prompt, a provider error for a body that is
     * not a response.
     */
    static ChatResponse read(byte[] body, long created) {
        JsonNode root = GeminiJson.treeOrNull(body);
        if (root == null || !root.isObject()) {
            throw GeminiJson.unusable("the reply is not a JSON object");
        }
        var blocked = GeminiCandidates.blocked(root);
        if (blocked != null) {
            throw new GatewayException(blocked);
        }
        JsonNode candidate = root.path("candidates").path(0);
        if (!candidate.isObject()) {
            throw GeminiJson.unusable("the reply has no candidates");
        }
        String responseId = root.path("responseId").asText("");
        var output = new ArrayList<Part>();
        StringBuilder text = null;
        int calls = 0;
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (GeminiCandidates.isThought(part)) {
                continue;
            }
            String piece = part.path("text").textValue();
            JsonNode call = part.get("functionCall");
            if (piece != null) {
                text = text == null ? new StringBuilder(piece) : text.append(piece);
            } else if (call != null && call.isObject()) {
                flush(text, output);
                text = null;
                output.add(new Part.ToolCall(GeminiCandidates.callId(call, responseId, calls++),
                        call.path("name").asText(""), GeminiCandidates.arguments(call)));
            }
        }
        flush(text, output);
        String finish = candidate.path("finishReason").asText("STOP");
        FinishReason reason = GeminiCandidates.finishReason(finish, calls > 0);
        return new ChatResponse(responseId, root.path("modelVersion").asText(""), created, output, reason,
                GeminiUsage.read(root.get("usageMetadata")));
    }

    private static void flush(StringBuilder text, List<Part> output) {
        if (text != null) {
            output.add(new Part.Text(text.toString()));
        }
    }
}
