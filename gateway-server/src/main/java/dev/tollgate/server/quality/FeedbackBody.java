package dev.tollgate.server.quality;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.FeedbackScore;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads the body of {@code POST /v1/feedback}:
 *
 * <pre>
 * { "request_id": "req_...",            required: the x-request-id the rated answer came with
 *   "score": 1..5 | "up" | "down",      required: an integer from 1 to 5, or thumbs up or down
 *   "comment": "..." }                  optional: at most 2,000 characters; null is the same as absent
 * </pre>
 *
 * Strict, so that a mistake is reported instead of stored as something the caller did not mean: unknown fields
 * are refused; a score of 0 is refused rather than read as thumbs down (a 0/1 scale would make 1 mean both "best"
 * and "worst"); fractional stars and numbers in strings are refused.
 */
final class FeedbackBody {
    /**
     * A field given twice is refused, and so is anything after the object: which copy or which object counts would
     * otherwise be the parser's choice, not the caller's.
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> FIELDS = Set.of("request_id", "score", "comment");
    /** As for the {@code x-request-id} the gateway accepts. */
    static final int MAX_ID_CHARS = 128;

    private FeedbackBody() {}

    /** A body read: what to rate, or what is wrong with it. */
    sealed interface Read {
        record Valid(String requestId, FeedbackScore score, String comment) implements Read {}

        record Invalid(GatewayError error) implements Read {}
    }

    static Read read(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            String detail = e.getOriginalMessage();
            return detail != null && detail.startsWith("Duplicate field")
                    ? invalid(null, "invalid_json", "The request body names a field more than once: each of "
                            + "request_id, score and comment may be given once.")
                    : invalid(null, "invalid_json", "The request body is not valid JSON.");
        } catch (IOException e) {
            return invalid(null, "invalid_json", "The request body could not be read.");
        }
        if (root == null || !root.isObject()) {
            return invalid(null, "invalid_request_body", "The request body must be a JSON object.");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                return invalid(name, "unknown_parameter", "Unrecognized request argument supplied: " + name
                        + ". Use request_id, score and comment.");
            }
        }
        JsonNode id = root.get("request_id");
        if (id == null || id.isNull()) {
            return invalid("request_id", "missing_required_parameter", "Missing required parameter: 'request_id'.");
        }
        if (!id.isTextual() || id.asText().isEmpty() || id.asText().length() > MAX_ID_CHARS) {
            return invalid("request_id", "invalid_type", "'request_id' must be a string of 1 to " + MAX_ID_CHARS
                    + " characters: the x-request-id of the response being rated.");
        }
        JsonNode score = root.get("score");
        if (score == null || score.isNull()) {
            return invalid("score", "missing_required_parameter", "Missing required parameter: 'score'.");
        }
        FeedbackScore parsed = score(score);
        if (parsed == null) {
            return invalid("score", "invalid_value", "'score' must be an integer from 1 to 5, or \"up\" or "
                    + "\"down\"; got " + excerpt(score) + ".");
        }
        JsonNode comment = root.get("comment");
        String text = null;
        if (comment != null && !comment.isNull()) {
            if (!comment.isTextual()) {
                return invalid("comment", "invalid_type", "'comment' must be a string.");
            }
            text = comment.asText();
            if (text.length() > Feedback.MAX_COMMENT_CHARS) {
                return invalid("comment", "string_above_max_length", "'comment' is " + text.length()
                        + " characters long; at most " + Feedback.MAX_COMMENT_CHARS + " are allowed.");
            }
        }
        return new Read.Valid(id.asText(), parsed, text == null || text.isEmpty() ? null : text);
    }

    private static FeedbackScore score(JsonNode score) {
        if (score.isIntegralNumber() && score.canConvertToInt()) {
            int stars = score.intValue();
            return stars >= FeedbackScore.Stars.MIN && stars <= FeedbackScore.Stars.MAX
                    ? new FeedbackScore.Stars(stars) : null;
        }
        if (score.isTextual()) {
            return switch (score.asText()) {
                case "up" -> new FeedbackScore.Thumbs(true);
                case "down" -> new FeedbackScore.Thumbs(false);
                default -> null;
            };
        }
        return null;
    }

    /** The offending value as the caller sent it, cut short (never inside a surrogate pair): never echo a whole body. */
    private static String excerpt(JsonNode value) {
        String text = value.toString();
        if (text.length() <= 40) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(39)) ? 39 : 40;
        return text.substring(0, end) + "...";
    }

    private static Read invalid(String param, String code, String message) {
        return new Read.Invalid(GatewayError.invalid(param, code, message));
    }
}
