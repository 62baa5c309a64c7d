package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.providers.wire.BodyExcerpt;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.RetryAfter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Turns an Anthropic error ({@code {"type":"error","error":{"type","message"},"request_id"}} in a non-2xx reply,
 * or an {@code error} event inside a stream) into a canonical {@link GatewayError}: who is at fault, whether a retry
 * can help, how long to wait. The message is Anthropic's own, never a header value; credential failures get a fixed
 * message, since a provider may quote part of the key it refused. Stateless; the caller supplies "now" for
 * HTTP-date {@code retry-after} values.
 */
final class UpstreamErrors {

    /** Anthropic's messages are short; this only bounds a hostile one. */
    private static final int MAX_MESSAGE = 2000;

    private UpstreamErrors() {}

    /** Anthropic's {@code error.type} and {@code error.message}; each may be null. */
    private record Said(String type, String message) {}

    /**
     * By status: 400 is a bad request (a prompt over the context window is its own kind), 401/403 the gateway's
     * key refused, 402 its account unable to pay, 404/413 and other 4xx bad requests, 408/504 timeouts, 429 rate
     * limits, 503/529 overload, 500 and other 5xx provider errors (overload when the type says so). The upstream
     * status is kept.
     */
    static GatewayError classify(UpstreamReply reply, Instant now) {
        int status = reply.status();
        Said said = read(reply.body());
        ErrorKind kind = switch (status) {
            case 400 -> contextTooLong(said.message()) ? ErrorKind.CONTEXT_TOO_LONG : ErrorKind.PROVIDER_BAD_REQUEST;
            case 401, 402, 403 -> ErrorKind.PROVIDER_AUTH;
            case 408, 504 -> ErrorKind.PROVIDER_TIMEOUT;
            case 429 -> ErrorKind.PROVIDER_RATE_LIMITED;
            case 503, 529 -> ErrorKind.PROVIDER_OVERLOADED;
            default -> {
                if (status >= 400 && status < 500) {
                    yield ErrorKind.PROVIDER_BAD_REQUEST;
                }
                yield "overloaded_error".equals(said.type()) ? ErrorKind.PROVIDER_OVERLOADED : ErrorKind.PROVIDER_ERROR;
            }
        };
        int httpStatus = status >= 400 && status <= 599 ? status : kind.defaultStatus();
        String message;
        if (status == 401 || status == 403) {
            message = "The upstream provider refused the gateway's credentials (HTTP " + status + ").";
        } else if (said.message() != null && !said.message().isBlank()) {
            message = BodyExcerpt.truncate(said.message(), MAX_MESSAGE);
        } else {
            String excerpt = BodyExcerpt.of(reply.body());
            message = "The upstream provider returned HTTP " + status + (excerpt.isEmpty() ? "." : ": " + excerpt);
        }
        return new GatewayError(kind, httpStatus, message, null, null, retryAfter(reply.header("retry-after"), now));
    }

    /**
     * The {@code error} object of an in-stream error event, which has no status of its own: classified by its type,
     * with the status Anthropic documents for that type.
     */
    static GatewayError inStream(JsonNode error) {
        Said said = said(error);
        String type = said.type() == null ? "" : said.type();
        ErrorKind kind;
        int status;
        switch (type) {
            case "invalid_request_error" -> {
                kind = contextTooLong(said.message()) ? ErrorKind.CONTEXT_TOO_LONG : ErrorKind.PROVIDER_BAD_REQUEST;
                status = 400;
            }
            case "authentication_error", "permission_error", "billing_error" -> {
                kind = ErrorKind.PROVIDER_AUTH;
                status = type.equals("billing_error") ? 402 : type.equals("permission_error") ? 403 : 401;
            }
            case "not_found_error", "request_too_large" -> {
                kind = ErrorKind.PROVIDER_BAD_REQUEST;
                status = type.equals("not_found_error") ? 404 : 413;
            }
            case "rate_limit_error" -> {
                kind = ErrorKind.PROVIDER_RATE_LIMITED;
                status = 429;
            }
            case "timeout_error" -> {
                kind = ErrorKind.PROVIDER_TIMEOUT;
                status = 504;
            }
            case "overloaded_error" -> {
                kind = ErrorKind.PROVIDER_OVERLOADED;
                status = 529;
            }
            default -> {
                kind = ErrorKind.PROVIDER_ERROR;
                status = 500;
            }
        }
        String message;
        if (kind == ErrorKind.PROVIDER_AUTH && !type.equals("billing_error")) {
            message = "The upstream provider refused the gateway's credentials.";
        } else if (said.message() == null || said.message().isBlank()) {
            message = "The upstream provider reported an error in the stream.";
        } else {
            message = BodyExcerpt.truncate(said.message(), MAX_MESSAGE);
        }
        return new GatewayError(kind, status, message, null, null, null);
    }

    /**
     * Anthropic says "prompt is too long: 208310 tokens > 200000 maximum", or "input length and `max_tokens`
     * exceed context limit" when the prompt fits but the answer would not.
     */
    private static boolean contextTooLong(String message) {
        if (message == null) {
            return false;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        return lower.contains("prompt is too long") || lower.contains("exceed context limit");
    }

    private static Said read(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException | IllegalStateException e) {
            return new Said(null, null);
        }
        if (root == null || !root.isObject()) {
            return new Said(null, null);
        }
        JsonNode error = root.get("error");
        return error != null && error.isObject() ? said(error) : new Said(null, null);
    }

    private static Said said(JsonNode error) {
        return new Said(text(error.get("type")), text(error.get("message")));
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    /**
     * The wait {@code retry-after} asks for: whole or decimal seconds (what Anthropic sends), or an HTTP date
     * (RFC 9110 section 10.2.3, from a proxy in front). Null when absent, unreadable or over a day (a value no
     * retry policy should honour).
     */
    static Duration retryAfter(String value, Instant now) {
        if (value == null) {
            return null;
        }
        String trimmed = value.strip();
        try {
            double seconds = Double.parseDouble(trimmed);
            return seconds >= 0 && seconds <= 86_400 ? Duration.ofMillis(Math.round(seconds * 1000)) : null;
        } catch (NumberFormatException e) {
            // Not a number: an HTTP date, or nothing usable.
        }
        Duration wait = RetryAfter.untilDate(trimmed, now);
        return wait != null && wait.compareTo(Duration.ofDays(1)) <= 0 ? wait : null;
    }
}
