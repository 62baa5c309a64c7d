package dev.tollgate.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.providers.wire.BodyExcerpt;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Bedrock's errors as canonical ones. Bedrock names an error by its type: the {@code x-amzn-errortype} header of a
 * non-2xx reply ({@code ThrottlingException:http://internal.amazon.com/...}), or the {@code :exception-type} of an
 * event-stream exception message ({@code throttlingException}); the JSON body carries only {@code message}. The type
 * decides the kind, and the HTTP status only when the type is missing or unknown. Credential failures get a fixed
 * message: AWS's own names the caller's ARN and account. Stateless.
 */
final class BedrockErrors {

    /** Bedrock's messages are short; this only bounds a hostile one. */
    private static final int MAX_MESSAGE = 2000;

    /** Error type, lower case (the header and the stream spell the first letter differently), to kind. */
    private static final Map<String, ErrorKind> BY_TYPE = Map.ofEntries(
            Map.entry("validationexception", ErrorKind.PROVIDER_BAD_REQUEST),
            Map.entry("resourcenotfoundexception", ErrorKind.PROVIDER_BAD_REQUEST),
            Map.entry("accessdeniedexception", ErrorKind.PROVIDER_AUTH),
            Map.entry("unrecognizedclientexception", ErrorKind.PROVIDER_AUTH),
            Map.entry("invalidsignatureexception", ErrorKind.PROVIDER_AUTH),
            Map.entry("expiredtokenexception", ErrorKind.PROVIDER_AUTH),
            Map.entry("modeltimeoutexception", ErrorKind.PROVIDER_TIMEOUT),
            Map.entry("throttlingexception", ErrorKind.PROVIDER_RATE_LIMITED),
            Map.entry("servicequotaexceededexception", ErrorKind.PROVIDER_RATE_LIMITED),
            Map.entry("internalserverexception", ErrorKind.PROVIDER_ERROR),
            Map.entry("modelerrorexception", ErrorKind.PROVIDER_ERROR),
            Map.entry("modelstreamerrorexception", ErrorKind.PROVIDER_ERROR),
            Map.entry("serviceunavailableexception", ErrorKind.PROVIDER_OVERLOADED),
            Map.entry("modelnotreadyexception", ErrorKind.PROVIDER_OVERLOADED));

    private BedrockErrors() {}

    /** A non-2xx reply. The upstream status is kept; a {@code Retry-After} in seconds becomes the wait. */
    static GatewayError classify(UpstreamReply reply) {
        int status = reply.status();
        JsonNode body = BedrockJson.object(reply.body());
        String type = type(reply.header("x-amzn-errortype"), body);
        String message = body == null ? null : message(body);
        ErrorKind kind = kind(type, message, status);
        int httpStatus = status >= 400 && status <= 599 ? status : kind.defaultStatus();
        String text;
        if (kind == ErrorKind.PROVIDER_AUTH) {
            text = "Amazon Bedrock refused the gateway's AWS credentials (HTTP " + status + ").";
        } else if (message != null && !message.isBlank()) {
            text = BodyExcerpt.truncate(message, MAX_MESSAGE);
        } else {
            text = "Amazon Bedrock returned HTTP " + status + (type == null ? "." : " (" + type + ").");
        }
        return new GatewayError(kind, httpStatus, text, null, null, retryAfter(reply.header("retry-after")));
    }

    /**
     * An exception or error message inside a 200 event stream, as the framer names it ({@code exception:<type>} or
     * {@code error:<code>}) with its JSON payload (or, for an error, the {@code :error-message} header text).
     */
    static GatewayError inStream(String event, String data) {
        String type = event.startsWith("exception:") ? event.substring("exception:".length()) : null;
        JsonNode body = BedrockJson.object(data);
        // An error message's text may be the bare :error-message header; an exception's payload is always JSON.
        String message = body != null ? message(body) : type == null ? data : null;
        ErrorKind kind = type == null ? ErrorKind.PROVIDER_ERROR : kind(type, message, 0);
        String text;
        if (kind == ErrorKind.PROVIDER_AUTH) {
            text = "Amazon Bedrock refused the gateway's AWS credentials.";
        } else if (message != null && !message.isBlank()) {
            text = BodyExcerpt.truncate(message, MAX_MESSAGE);
        } else {
            text = "Amazon Bedrock reported an error in the stream (" + event + ").";
        }
        return GatewayError.of(kind, text);
    }

    private static ErrorKind kind(String type, String message, int status) {
        ErrorKind byType = type == null ? null : BY_TYPE.get(type.toLowerCase(Locale.ROOT));
        ErrorKind kind = byType != null ? byType : switch (status) {
            case 400, 404, 409, 413, 415, 422 -> ErrorKind.PROVIDER_BAD_REQUEST;
            case 401, 403 -> ErrorKind.PROVIDER_AUTH;
            case 408, 504 -> ErrorKind.PROVIDER_TIMEOUT;
            case 429 -> ErrorKind.PROVIDER_RATE_LIMITED;
            case 503 -> ErrorKind.PROVIDER_OVERLOADED;
            default -> status >= 400 && status < 500 ? ErrorKind.PROVIDER_BAD_REQUEST : ErrorKind.PROVIDER_ERROR;
        };
        return kind == ErrorKind.PROVIDER_BAD_REQUEST && contextTooLong(message) ? ErrorKind.CONTEXT_TOO_LONG : kind;
    }

    /** Bedrock says it only in words, and each model family in its own ("Input is too long for requested model"). */
    private static boolean contextTooLong(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("input is too long") || m.contains("prompt is too long")
                || m.contains("too many input tokens") || m.contains("context length") || m.contains("context window");
    }

    /** The type from the header ({@code Name:namespace}) or a body's {@code __type} ({@code namespace#Name}). */
    private static String type(String header, JsonNode body) {
        String raw = header != null ? header : body == null ? null : BedrockJson.text(body, "__type");
        if (raw == null || raw.isBlank()) {
            return null;
        }
        int colon = raw.indexOf(':');
        String type = colon >= 0 ? raw.substring(0, colon) : raw;
        return type.substring(type.lastIndexOf('#') + 1).strip();
    }

    private static String message(JsonNode body) {
        String message = BedrockJson.text(body, "message");
        return message != null ? message : BedrockJson.text(body, "Message");
    }

    /** A {@code Retry-After} in whole seconds, up to a day; an HTTP date (RFC 9110 allows one) is ignored. */
    private static Duration retryAfter(String value) {
        if (value == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            return seconds >= 0 && seconds <= 86_400 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
