package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How each {@link ErrorKind} looks in OpenAI's error shape ({@code type} and default {@code code}), and the writer of
 * that shape. OpenAI SDKs pick their exception class by HTTP status and show {@code message}; {@code type} and
 * {@code code} are what programs match on. Stateless.
 */
final class ErrorTable {

    private ErrorTable() {}

    /** The OpenAI {@code error.type} of a kind. */
    static String type(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST, NOT_FOUND, MODEL_NOT_FOUND, METHOD_NOT_ALLOWED, REQUEST_TIMEOUT, PAYLOAD_TOO_LARGE,
                    URI_TOO_LONG, UNSUPPORTED_MEDIA_TYPE, HEADERS_TOO_LARGE, CLIENT_CANCELLED, GUARDRAIL_BLOCKED,
                    PROVIDER_BAD_REQUEST, CONTEXT_TOO_LONG, CONTENT_FILTERED -> "invalid_request_error";
            case UNAUTHENTICATED -> "authentication_error";
            case PERMISSION_DENIED -> "permission_error";
            case RATE_LIMITED, PROVIDER_RATE_LIMITED -> "rate_limit_error";
            // OpenAI's own name for "your quota is spent", which is what a budget is.
            case BUDGET_EXCEEDED -> "insufficient_quota";
            case PROVIDER_TIMEOUT -> "timeout_error";
            case PROVIDER_AUTH, PROVIDER_OVERLOADED, PROVIDER_UNREACHABLE, PROVIDER_ERROR -> "api_error";
            case INTERNAL, GATEWAY_OVERLOADED -> "server_error";
        };
    }

    /** The {@code error.code} used when the error carries none of its own. */
    static String defaultCode(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST -> null;
            case UNAUTHENTICATED -> "invalid_api_key";
            case PERMISSION_DENIED -> "permission_denied";
            case NOT_FOUND -> "unknown_url";
            case MODEL_NOT_FOUND -> "model_not_found";
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            case REQUEST_TIMEOUT -> "request_timeout";
            case PAYLOAD_TOO_LARGE -> "request_too_large";
            case URI_TOO_LONG -> "uri_too_long";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported_media_type";
            case HEADERS_TOO_LARGE -> "headers_too_large";
            case CLIENT_CANCELLED -> "client_cancelled";
            case RATE_LIMITED -> "rate_limit_exceeded";
            case BUDGET_EXCEEDED -> "budget_exceeded";
            case GUARDRAIL_BLOCKED -> "content_blocked";
            case PROVIDER_BAD_REQUEST -> "upstream_bad_request";
            case PROVIDER_AUTH -> "upstream_auth_failed";
            case PROVIDER_RATE_LIMITED -> "upstream_rate_limited";
            case PROVIDER_OVERLOADED -> "upstream_overloaded";
            case PROVIDER_TIMEOUT -> "upstream_timeout";
            case PROVIDER_UNREACHABLE -> "upstream_unreachable";
            case PROVIDER_ERROR -> "upstream_error";
            case CONTEXT_TOO_LONG -> "context_length_exceeded";
            case CONTENT_FILTERED -> "content_filter";
            case INTERNAL -> "internal_error";
            case GATEWAY_OVERLOADED -> "gateway_overloaded";
        };
    }

    /** {@code {"error":{...,"request_id":...}}}. */
    static byte[] encode(GatewayError error, String requestId) {
        var out = new ByteArrayBuilder(256);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            writeErrorField(g, error, requestId, true);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    /** Writes the {@code "error":{...}} member; {@code request_id} only when {@code withRequestId}. */
    static void writeErrorField(JsonGenerator g, GatewayError error, String requestId, boolean withRequestId)
            throws IOException {
        g.writeObjectFieldStart("error");
        g.writeStringField("message", error.message());
        g.writeStringField("type", type(error.kind()));
        g.writeStringField("param", error.param());
        g.writeStringField("code", error.code() != null ? error.code() : defaultCode(error.kind()));
        if (withRequestId) {
            g.writeStringField("request_id", requestId);
        }
        g.writeEndObject();
    }
}
