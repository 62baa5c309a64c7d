package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * How each {@link ErrorKind} looks in Anthropic's error shape, and the writers of that shape. Anthropic SDKs pick
 * their exception class by HTTP status and show {@code message}; {@code error.type} is what programs match on, so
 * it says what Anthropic would have said: a caller's mistake is {@code invalid_request_error}, a provider's failure
 * is the gateway's ({@code api_error}), never the client's credentials. Stateless.
 */
final class ErrorTypes {

    private static final byte[] EVENT = "event: error\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FRAME_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private ErrorTypes() {}

    /** The Anthropic {@code error.type} of a kind. */
    static String type(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST, METHOD_NOT_ALLOWED, REQUEST_TIMEOUT, URI_TOO_LONG, UNSUPPORTED_MEDIA_TYPE,
                    HEADERS_TOO_LARGE, CLIENT_CANCELLED, GUARDRAIL_BLOCKED, PROVIDER_BAD_REQUEST, CONTEXT_TOO_LONG,
                    CONTENT_FILTERED -> "invalid_request_error";
            case UNAUTHENTICATED -> "authentication_error";
            case PERMISSION_DENIED -> "permission_error";
            case NOT_FOUND, MODEL_NOT_FOUND -> "not_found_error";
            case PAYLOAD_TOO_LARGE -> "request_too_large";
            case RATE_LIMITED, PROVIDER_RATE_LIMITED -> "rate_limit_error";
            // Anthropic's own name for "this account cannot spend more", which is what an exhausted budget is.
            case BUDGET_EXCEEDED -> "billing_error";
            case PROVIDER_OVERLOADED, GATEWAY_OVERLOADED -> "overloaded_error";
            case PROVIDER_TIMEOUT -> "timeout_error";
            // The gateway's credentials, not the client's: an authentication_error would send the client to check its key.
            case PROVIDER_AUTH, PROVIDER_UNREACHABLE, PROVIDER_ERROR, INTERNAL -> "api_error";
        };
    }

    /** {@code {"type":"error","error":{"type","message"},"request_id"}}; {@code request_id} is null when unknown. */
    static byte[] body(GatewayError error, String requestId) {
        var out = new ByteArrayBuilder(256);
        write(out, error, requestId, true);
        return out.toByteArray();
    }

    /**
     * The in-band {@code event: error} frame, blank line included; {@code request_id} is written only when known
     * (Anthropic's own stream errors carry none).
     */
    static byte[] event(GatewayError error, String requestId) {
        var out = new ByteArrayBuilder(256);
        out.write(EVENT);
        write(out, error, requestId, requestId != null);
        out.write(FRAME_END);
        return out.toByteArray();
    }

    private static void write(ByteArrayBuilder out, GatewayError error, String requestId, boolean withRequestId) {
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeObjectFieldStart("error");
            g.writeStringField("type", type(error.kind()));
            g.writeStringField("message", error.message());
            g.writeEndObject();
            if (withRequestId) {
                g.writeStringField("request_id", requestId);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
    }
}
