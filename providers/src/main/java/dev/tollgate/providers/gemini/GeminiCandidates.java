package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import java.util.Locale;

/**
 * What the non-streamed reader and the stream decoder read alike from a {@code GenerateContentResponse}: tool call
 * ids, arguments, finish reasons, and the error for a blocked prompt. Stateless.
 */
final class GeminiCandidates {

    /** Characters of the response id kept in a synthesized call id: OpenAI refuses call ids over 40 characters. */
    private static final int MAX_ID_CHARS = 24;

    private GeminiCandidates() {}

    /**
     * The id of the {@code index}-th function call of a response: Gemini's own {@code id} when it sends one, else
     * {@code call_<responseId>_<index>}, deterministic for the reply and unique across the turns of a conversation
     * (Anthropic refuses repeated tool-use ids); {@code call_<index>} when the response has no id either.
     */
    static String callId(JsonNode functionCall, String responseId, int index) {
        String own = functionCall.path("id").textValue();
        if (own != null && !own.isEmpty()) {
            return own;
        }
        var id = new StringBuilder("call_");
        for (int i = 0; i < responseId.length() && id.length() < 5 + MAX_ID_CHARS; i++) {
            char c = responseId.charAt(i);
            // Anthropic accepts only [A-Za-z0-9_-] in tool-use ids; keep ids valid wherever the conversation goes next.
            if (c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
                id.append(c);
            }
        }
        if (id.length() > 5) {
            id.append('_');
        }
        return id.append(index).toString();
    }

    /** The call's {@code args} as JSON text ({@code {}} when absent). */
    static String arguments(JsonNode functionCall) {
        JsonNode args = functionCall.get("args");
        return args == null || args.isNull() ? "{}" : args.toString();
    }

    /** Whether a part is a thought summary (sent only with {@code includeThoughts}): not part of the answer. */
    static boolean isThought(JsonNode part) {
        return part.path("thought").asBoolean(false);
    }

    /**
     * Gemini's finish reason: {@code STOP} is {@link FinishReason#TOOL_CALLS} when the answer called functions,
     * {@code MAX_TOKENS} is LENGTH, the safety family ({@code SAFETY}, {@code RECITATION}, {@code BLOCKLIST},
     * {@code PROHIBITED_CONTENT}, {@code SPII}, {@code IMAGE_SAFETY}, ...) is CONTENT_FILTER; everything else
     * ({@code OTHER}, {@code MALFORMED_FUNCTION_CALL}, {@code LANGUAGE}, unknown values) is STOP.
     */
    static FinishReason finishReason(String wire, boolean calledFunctions) {
        return switch (wire) {
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                    "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION" -> FinishReason.CONTENT_FILTER;
            default -> calledFunctions ? FinishReason.TOOL_CALLS : FinishReason.STOP;
        };
    }

    /**
     * The error for a prompt Gemini refused to answer ({@code promptFeedback.blockReason} and no candidates), or null
     * when the response is not one. Google's content policy said no to the caller's content: not a failure worth
     * retrying on Gemini, but another model's policy may answer it, hence {@link ErrorKind#CONTENT_FILTERED}.
     * The code is {@code content_filter}, what OpenAI clients know from Azure's prompt filter.
     */
    static GatewayError blocked(JsonNode response) {
        String reason = response.path("promptFeedback").path("blockReason").textValue();
        if (reason == null || response.path("candidates").size() > 0) {
            return null;
        }
        return new GatewayError(ErrorKind.CONTENT_FILTERED, 400, "The provider's content filter blocked the prompt ("
                + reason.toUpperCase(Locale.ROOT) + ").", null, "content_filter", null);
    }
}
