package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.MalformedJson;
import java.io.IOException;

/**
 * The reading primitives that turn bad client input into 400s the way Anthropic words them: the parameter as a
 * dotted path ({@code messages.2.content.0.type}) followed by a validation message ({@code Field required},
 * {@code Input should be a valid string}). Codes are the gateway's own vocabulary, shared with the other dialects so
 * metrics and logs read alike. The dialect-neutral plumbing is {@link Json}. All members are thread-safe.
 */
final class AnthropicJson {

    /** Anthropic's wording of the 400 for a body that is not JSON. */
    static final MalformedJson MALFORMED = new MalformedJson(
            "The request body is not valid JSON: ", "unexpected data after the top-level object");

    private AnthropicJson() {}

    static GatewayException missing(String param) {
        return new GatewayException(GatewayError.invalid(param, "missing_required_parameter", param + ": Field required"));
    }

    /** {@code expected} in Anthropic's words: {@code a valid string}, {@code a valid list}, ... */
    static GatewayException invalidType(String param, String expected, JsonToken actual) {
        return new GatewayException(GatewayError.invalid(param, "invalid_type",
                param + ": Input should be " + expected + ", but got " + Json.typeName(actual) + " instead"));
    }

    static GatewayException invalidValue(String param, String message) {
        return new GatewayException(GatewayError.invalid(param, "invalid_value", param + ": " + message));
    }

    /** A value Anthropic's API takes but the gateway cannot carry to another provider. */
    static GatewayException unsupported(String param, String message) {
        return new GatewayException(GatewayError.invalid(param, "unsupported_value", param + ": " + message));
    }

    static GatewayException duplicate(String param) {
        return new GatewayException(GatewayError.invalid(param, "duplicate_key", param + ": Duplicate key in the request body"));
    }

    /** Fails unless the current token is {@code token}. */
    static void expect(JsonParser p, JsonToken token, String param, String expected) {
        if (p.currentToken() != token) {
            throw invalidType(param, expected, p.currentToken());
        }
    }

    static String string(JsonParser p, String param) throws IOException {
        expect(p, JsonToken.VALUE_STRING, param, "a valid string");
        return p.getText();
    }

    /** Like {@link #string}, with JSON null read as "not set". */
    static String nullableString(JsonParser p, String param) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : string(p, param);
    }

    static Double nullableNumber(JsonParser p, String param) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                double value = p.getDoubleValue();
                if (!Double.isFinite(value)) {
                    throw invalidValue(param, "Input should be a finite number");
                }
                yield value;
            }
            default -> throw invalidType(param, "a valid number", p.currentToken());
        };
    }

    /** A required integer of at least 1 and at most {@link Integer#MAX_VALUE} ({@code max_tokens}). */
    static int positiveInt(JsonParser p, String param) throws IOException {
        expect(p, JsonToken.VALUE_NUMBER_INT, param, "a valid integer");
        if (p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 1) {
            throw invalidValue(param, "Input should be an integer from 1 to " + Integer.MAX_VALUE + ", but got " + p.getText());
        }
        return p.getIntValue();
    }

    static Boolean nullableBoolean(JsonParser p, String param) {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> throw invalidType(param, "a valid boolean", p.currentToken());
        };
    }
}
