package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.MalformedJson;
import java.io.IOException;
import java.util.List;

/**
 * The reading primitives that turn bad client input into OpenAI-style 400s naming the field at fault, and the
 * {@code tool_calls} writer of requests and responses. The dialect-neutral plumbing is {@link Json}. All members are
 * thread-safe.
 */
final class WireJson {

    /** OpenAI's wording of the 400 for a body that is not JSON. */
    static final MalformedJson MALFORMED = new MalformedJson(
            "We could not parse the JSON body of your request: ", "unexpected data after the top-level value");

    private WireJson() {}

    static GatewayException invalidType(String param, String expected, JsonToken actual) {
        return new GatewayException(GatewayError.invalid(param, "invalid_type",
                "Invalid type for '" + param + "': expected " + expected + ", but got " + Json.typeName(actual)
                        + " instead."));
    }

    static GatewayException missing(String param) {
        return new GatewayException(GatewayError.invalid(param, "missing_required_parameter",
                "Missing required parameter: '" + param + "'."));
    }

    static GatewayException invalidValue(String param, String message) {
        return new GatewayException(GatewayError.invalid(param, "invalid_value", message));
    }

    static GatewayException duplicate(String param) {
        return new GatewayException(GatewayError.invalid(param, "duplicate_key",
                "Duplicate key '" + param + "' in the request body."));
    }

    /** The current token as a string; anything else is a 400 naming {@code param}. */
    static String string(JsonParser p, String param) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw invalidType(param, "a string", p.currentToken());
        }
        return p.getText();
    }

    /** Like {@link #string} but JSON null reads as null (OpenAI treats an explicit null as "not set"). */
    static String nullableString(JsonParser p, String param) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : string(p, param);
    }

    static Double nullableNumber(JsonParser p, String param) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> finite(p.getDoubleValue(), p, param);
            default -> throw invalidType(param, "a decimal", p.currentToken());
        };
    }

    private static double finite(double value, JsonParser p, String param) throws IOException {
        if (!Double.isFinite(value)) {
            throw invalidValue(param, "Invalid '" + param + "': " + p.getText() + " is out of range.");
        }
        return value;
    }

    static Integer nullableInt(JsonParser p, String param, int min) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw invalidType(param, "an integer", token);
        }
        if (p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < min) {
            throw new GatewayException(GatewayError.invalid(param, "invalid_value",
                    "Invalid '" + param + "': expected an integer from " + min + " to " + Integer.MAX_VALUE
                            + ", but got " + p.getText() + " instead."));
        }
        return p.getIntValue();
    }

    static Long nullableLong(JsonParser p, String param) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw invalidType(param, "an integer", token);
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw invalidValue(param, "Invalid '" + param + "': " + p.getText() + " does not fit in 64 bits.");
        }
        return p.getLongValue();
    }

    static Boolean nullableBoolean(JsonParser p, String param) {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> throw invalidType(param, "a boolean", p.currentToken());
        };
    }

    /** {@code value}, or the 400 for a missing {@code param}. */
    static <T> T required(T value, String param) {
        if (value == null) {
            throw missing(param);
        }
        return value;
    }

    /** Fails unless the current token is {@code token}. */
    static void expect(JsonParser p, JsonToken token, String param, String expected) {
        if (p.currentToken() != token) {
            throw invalidType(param, expected, p.currentToken());
        }
    }

    /** The {@code tool_calls} array of an assistant message, in requests and responses alike. */
    static void writeToolCalls(JsonGenerator g, List<Part.ToolCall> calls)
            throws IOException {
        g.writeArrayFieldStart("tool_calls");
        for (var call : calls) {
            g.writeStartObject();
            g.writeStringField("id", call.id());
            g.writeStringField("type", "function");
            g.writeObjectFieldStart("function");
            g.writeStringField("name", call.name());
            g.writeStringField("arguments", call.arguments());
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
