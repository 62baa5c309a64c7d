package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.providers.wire.BodyExcerpt;
import dev.tollgate.providers.wire.RetryAfter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Turns Google's error shape ({@code {"error":{"code","message","status","details":[...]}}}, sometimes wrapped in an
 * array) into a canonical {@link GatewayError}, from a non-2xx reply or an error object inside a stream:
 * <ul>
 *   <li>400 is the provider refusing the request, {@link ErrorKind#CONTEXT_TOO_LONG} when the message says the input
 *       exceeds the token limit; but 400 {@code API_KEY_INVALID} (Google's answer to a bad key) and 400
 *       {@code FAILED_PRECONDITION} (region not served, billing required) are the gateway's account, so
 *       {@link ErrorKind#PROVIDER_AUTH};</li>
 *   <li>401/403 are PROVIDER_AUTH, 404 PROVIDER_BAD_REQUEST (an unknown model), 408/504 PROVIDER_TIMEOUT, 429
 *       PROVIDER_RATE_LIMITED, 503 PROVIDER_OVERLOADED, other 4xx PROVIDER_BAD_REQUEST, other 5xx PROVIDER_ERROR;</li>
 *   <li>the wait is {@code RetryInfo.retryDelay} from the details, else the {@code Retry-After} header (seconds or
 *       an HTTP date).</li>
 * </ul>
 * Messages are Google's own (never a header, the request URL or the key), except for credential and account
 * failures, which get a fixed message: those are the operator's business, not the client's. Stateless.
 */
final class GeminiErrors {

    /** Google's messages are short; this only bounds a hostile one. */
    private static final int MAX_MESSAGE = 2000;
    /** A longer wait is nonsense; the bound also keeps the arithmetic finite. */
    private static final BigDecimal MAX_WAIT_SECONDS = BigDecimal.valueOf(365L * 86_400);

    private GeminiErrors() {}

    /** What Google said; each field may be null. */
    private record Said(Integer code, String status, String message, String reason, Duration retryDelay) {
        static final Said NOTHING = new Said(null, null, null, null, null);
    }

    static GatewayError classify(UpstreamReply reply, Instant now) {
        int status = reply.status();
        Said said = read(reply.body());
        ErrorKind kind = kind(status, said);
        int httpStatus = status >= 400 && status <= 599 ? status : kind.defaultStatus();
        String message = said.message() != null && !said.message().isBlank() ? said.message() : bodyExcerpt(status, reply.body());
        Duration wait = said.retryDelay() != null ? said.retryDelay() : retryAfter(reply.header("retry-after"), now);
        return new GatewayError(kind, httpStatus, message(kind, status, said, message), null, null, wait);
    }

    /** An error object sent inside a 200 stream: its {@code code}, else its {@code status} name, stands for the HTTP status. */
    static GatewayError inStream(JsonNode error) {
        Said said = said(error);
        int status = said.code() != null && said.code() >= 400 && said.code() <= 599 ? said.code() : statusOf(said.status());
        ErrorKind kind = kind(status, said);
        String message = said.message() != null && !said.message().isBlank()
                ? said.message()
                : "The upstream provider reported an error in the stream.";
        return new GatewayError(kind, kind.defaultStatus(), message(kind, status, said, message), null, null, said.retryDelay());
    }

    private static ErrorKind kind(int status, Said said) {
        return switch (status) {
            case 400 -> {
                if ("API_KEY_INVALID".equals(said.reason()) || "FAILED_PRECONDITION".equals(said.status())) {
                    yield ErrorKind.PROVIDER_AUTH;
                }
                yield tokenLimit(said.message()) ? ErrorKind.CONTEXT_TOO_LONG : ErrorKind.PROVIDER_BAD_REQUEST;
            }
            case 401, 403 -> ErrorKind.PROVIDER_AUTH;
            case 408, 504 -> ErrorKind.PROVIDER_TIMEOUT;
            case 429 -> ErrorKind.PROVIDER_RATE_LIMITED;
            case 503 -> ErrorKind.PROVIDER_OVERLOADED;
            default -> status >= 400 && status < 500 ? ErrorKind.PROVIDER_BAD_REQUEST : ErrorKind.PROVIDER_ERROR;
        };
    }

    /** "The input token count (1048577) exceeds the maximum number of tokens allowed (1048576)." */
    private static boolean tokenLimit(String message) {
        if (message == null) {
            return false;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        return lower.contains("token") && lower.contains("exceed");
    }

    private static String message(ErrorKind kind, int status, Said said, String message) {
        if (kind == ErrorKind.PROVIDER_AUTH) {
            String detail = said.reason() != null ? said.reason() : said.status();
            return "The upstream provider refused the gateway's credentials or account (HTTP " + status
                    + (detail == null ? "" : " " + BodyExcerpt.truncate(detail, 64)) + ").";
        }
        return BodyExcerpt.truncate(message, MAX_MESSAGE);
    }

    private static int statusOf(String status) {
        return switch (status == null ? "" : status) {
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> 400;
            case "UNAUTHENTICATED" -> 401;
            case "PERMISSION_DENIED" -> 403;
            case "NOT_FOUND" -> 404;
            case "RESOURCE_EXHAUSTED" -> 429;
            case "UNAVAILABLE" -> 503;
            case "DEADLINE_EXCEEDED" -> 504;
            default -> 500;
        };
    }

    private static Said read(byte[] body) {
        JsonNode root = GeminiJson.treeOrNull(body);
        // streamGenerateContent without alt=sse answers errors as a one-element array.
        if (root != null && root.isArray()) {
            root = root.path(0);
        }
        JsonNode error = root == null ? null : root.get("error");
        return error != null && error.isObject() ? said(error) : Said.NOTHING;
    }

    private static Said said(JsonNode error) {
        JsonNode code = error.get("code");
        String reason = null;
        Duration retryDelay = null;
        for (JsonNode detail : error.path("details")) {
            String type = detail.path("@type").asText("");
            if (type.endsWith("google.rpc.RetryInfo")) {
                retryDelay = protoDuration(detail.path("retryDelay").textValue());
            } else if (type.endsWith("google.rpc.ErrorInfo")) {
                reason = detail.path("reason").textValue();
            }
        }
        return new Said(code != null && code.canConvertToInt() ? code.intValue() : null, error.path("status").textValue(),
                error.path("message").textValue(), reason, retryDelay);
    }

    /** A protobuf JSON duration ({@code "30s"}, {@code "1.5s"}); null when it is not one. */
    static Duration protoDuration(String text) {
        if (text == null || !text.endsWith("s")) {
            return null;
        }
        return seconds(text.substring(0, text.length() - 1));
    }

    /**
     * The {@code Retry-After} header: seconds, or an HTTP date (RFC 9110 section 10.2.3) counted from {@code now}.
     * Null when absent or unreadable.
     */
    static Duration retryAfter(String value, Instant now) {
        if (value == null) {
            return null;
        }
        Duration seconds = seconds(value.strip());
        if (seconds != null) {
            return seconds;
        }
        return RetryAfter.untilDate(value.strip(), now);
    }

    private static Duration seconds(String text) {
        try {
            BigDecimal seconds = new BigDecimal(text);
            if (seconds.signum() < 0 || seconds.compareTo(MAX_WAIT_SECONDS) > 0) {
                return null;
            }
            return Duration.ofNanos(seconds.movePointRight(9).longValue());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The start of a non-JSON body (an HTML page from a proxy, say) on one line, after the status. Only ASCII
     * whitespace and controls are folded, other characters pass as sent: that is why this is not
     * {@link BodyExcerpt#of}.
     */
    private static String bodyExcerpt(int status, byte[] body) {
        String text = new String(body, 0, Math.min(body.length, BodyExcerpt.MAX_CHARS * 4), StandardCharsets.UTF_8);
        String line = text.replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
        String excerpt = BodyExcerpt.truncate(line, BodyExcerpt.MAX_CHARS);
        return "The upstream provider returned HTTP " + status + (excerpt.isEmpty() ? "." : ": " + excerpt);
    }
}
