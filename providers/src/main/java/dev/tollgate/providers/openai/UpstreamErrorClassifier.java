package dev.tollgate.providers.openai;

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
 * Turns an OpenAI-compatible error (a non-2xx reply, or an error object inside a stream) into a canonical
 * {@link GatewayError}: who is at fault, whether a retry can help, how long to wait. The message is the provider's
 * own (never a header value, never the request URL); credential failures get a fixed message because providers
 * echo fragments of the rejected key. Stateless; the caller supplies "now" for HTTP-date Retry-After values.
 */
final class UpstreamErrorClassifier {

    /** Providers' JSON messages are short; this only bounds a hostile one. */
    private static final int MAX_MESSAGE = 2000;

    private UpstreamErrorClassifier() {}

    /** What a provider said about an error: each field may be null. */
    private record Said(String message, String type, String code, String param) {}

    static GatewayError classify(UpstreamReply reply, Instant now) {
        int status = reply.status();
        Said said = read(reply.body());
        ErrorKind kind = switch (status) {
            case 400 -> contentFiltered(said) ? ErrorKind.CONTENT_FILTERED
                    : contextTooLong(said) ? ErrorKind.CONTEXT_TOO_LONG : ErrorKind.PROVIDER_BAD_REQUEST;
            case 404, 409, 413, 415, 422 -> contextTooLong(said) ? ErrorKind.CONTEXT_TOO_LONG : ErrorKind.PROVIDER_BAD_REQUEST;
            case 401, 403 -> ErrorKind.PROVIDER_AUTH;
            case 408, 504 -> ErrorKind.PROVIDER_TIMEOUT;
            case 429 -> ErrorKind.PROVIDER_RATE_LIMITED;
            case 503, 529 -> ErrorKind.PROVIDER_OVERLOADED;
            default -> status >= 400 && status < 500 ? ErrorKind.PROVIDER_BAD_REQUEST : ErrorKind.PROVIDER_ERROR;
        };
        int httpStatus = status >= 400 && status <= 599 ? status : kind.defaultStatus();
        String message;
        String code = said.code();
        if (kind == ErrorKind.PROVIDER_AUTH) {
            // "Incorrect API key provided: sk-ab***yz" names the gateway's key, and the code would tell the client
            // its own key is wrong: neither belongs in a client's error.
            message = "The upstream provider refused the gateway's credentials (HTTP " + status + ").";
            code = null;
        } else if (said.message() != null && !said.message().isBlank()) {
            message = BodyExcerpt.truncate(said.message(), MAX_MESSAGE);
        } else {
            String excerpt = BodyExcerpt.of(reply.body());
            message = "The upstream provider returned HTTP " + status + (excerpt.isEmpty() ? "." : ": " + excerpt);
        }
        return new GatewayError(kind, httpStatus, message, said.param(), code, retryAfter(reply, now));
    }

    /** An error object sent inside a 200 stream, which has no status of its own: classified by type and code. */
    static GatewayError inStream(JsonNode error) {
        Said said = said(error);
        String type = said.type() == null ? "" : said.type();
        String code = said.code() == null ? "" : said.code();
        String both = (type + " " + code).toLowerCase(Locale.ROOT);
        ErrorKind kind;
        if (contentFiltered(said)) {
            kind = ErrorKind.CONTENT_FILTERED;
        } else if (contextTooLong(said)) {
            kind = ErrorKind.CONTEXT_TOO_LONG;
        } else if (both.contains("rate_limit")) {
            kind = ErrorKind.PROVIDER_RATE_LIMITED;
        } else if (both.contains("overloaded") || both.contains("unavailable")) {
            kind = ErrorKind.PROVIDER_OVERLOADED;
        } else if (both.contains("timeout")) {
            kind = ErrorKind.PROVIDER_TIMEOUT;
        } else if (type.equals("invalid_request_error")) {
            kind = ErrorKind.PROVIDER_BAD_REQUEST;
        } else {
            kind = ErrorKind.PROVIDER_ERROR;
        }
        String message = said.message() == null || said.message().isBlank()
                ? "The upstream provider reported an error in the stream."
                : BodyExcerpt.truncate(said.message(), MAX_MESSAGE);
        return new GatewayError(kind, kind.defaultStatus(), message, said.param(), said.code(), null);
    }

    /**
     * A refusal by the provider's content policy, which another model may not share: Azure's prompt filter
     * ({@code content_filter}), OpenAI's safety system ({@code content_policy_violation}), or servers that relay
     * Azure's words without its code.
     */
    private static boolean contentFiltered(Said said) {
        if ("content_filter".equals(said.code()) || "content_policy_violation".equals(said.code())) {
            return true;
        }
        String message = said.message();
        return message != null && message.toLowerCase(Locale.ROOT).contains("content management policy");
    }

    private static boolean contextTooLong(Said said) {
        if ("context_length_exceeded".equals(said.code())) {
            return true;
        }
        // vLLM and other compatible servers say it only in words.
        String message = said.message();
        return message != null && message.toLowerCase(Locale.ROOT).contains("maximum context length");
    }

    /** OpenAI's {@code {"error":{...}}}, a bare {@code {"error":"text"}} (Ollama), or top-level fields (vLLM). */
    private static Said read(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return new Said(null, null, null, null);
        }
        if (root == null || !root.isObject()) {
            return new Said(null, null, null, null);
        }
        JsonNode error = root.get("error");
        if (error != null && error.isTextual()) {
            return new Said(error.textValue(), null, null, null);
        }
        return said(error != null && error.isObject() ? error : root);
    }

    private static Said said(JsonNode error) {
        return new Said(text(error.get("message")), text(error.get("type")), text(error.get("code")), text(error.get("param")));
    }

    /** A scalar as text (some servers send numeric codes), null for absent, null or structured values. */
    private static String text(JsonNode node) {
        return node != null && node.isValueNode() && !node.isNull() ? node.asText() : null;
    }

    /**
     * The wait a provider asked for: {@code retry-after-ms} (OpenAI, fractional milliseconds) first, then
     * {@code retry-after} as seconds or an HTTP date (RFC 9110 section 10.2.3). Null when absent or unreadable.
     */
    static Duration retryAfter(UpstreamReply reply, Instant now) {
        Duration millis = amount(reply.header("retry-after-ms"), 1_000_000L);
        if (millis != null) {
            return millis;
        }
        String value = reply.header("retry-after");
        if (value == null) {
            return null;
        }
        Duration seconds = amount(value, 1_000_000_000L);
        if (seconds != null) {
            return seconds;
        }
        return RetryAfter.untilDate(value.trim(), now);
    }

    /** A non-negative decimal number of units, each {@code nanosPerUnit} long; null when it is not one. */
    private static Duration amount(String value, long nanosPerUnit) {
        if (value == null) {
            return null;
        }
        try {
            double units = Double.parseDouble(value.trim());
            // A year is already absurd; the bound keeps the multiplication finite.
            if (!(units >= 0) || units * nanosPerUnit > 365 * 86_400e9) {
                return null;
            }
            return Duration.ofNanos(Math.round(units * nanosPerUnit));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
