package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one JSON factory and mapper of the OpenAI codecs, and the reading primitives that turn bad client input into
 * OpenAI-style 400s naming the field at fault. All members are thread-safe.
 */
final class WireJson {

    /** Deeper documents are rejected before any recursion can happen (no {@link StackOverflowError} on bombs). */
    static final int MAX_DEPTH = 64;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY).build();

    private WireJson() {}

    /**
     * A parser over {@code body[0, length)}. Only UTF-8 is accepted (RFC 8259 section 8.1): byte offsets, which the
     * envelope splices and raw extension slices rely on, are only byte offsets for the UTF-8 parser.
     */
    static JsonParser parser(byte[] body, int length) throws IOException {
        JsonParser parser = FACTORY.createParser(body, 0, length);
        if (!(parser instanceof UTF8StreamJsonParser)) {
            parser.close();
            throw new GatewayException(GatewayError.invalid(null, "invalid_json", "The request body must be JSON encoded as UTF-8."));
        }
        return parser;
    }

    /** A generator writing UTF-8 into {@code out}. */
    static JsonGenerator generator(ByteArrayBuilder out) {
        try {
            return FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 400 for JSON the parser refused: too deep, or not JSON at all. */
    static GatewayException malformed(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException && String.valueOf(e.getOriginalMessage()).contains("nesting depth")) {
            return new GatewayException(GatewayError.invalid(null, "json_depth_exceeded",
                    "The request body nests JSON deeper than " + MAX_DEPTH + " levels."));
        }
        var where = e.getLocation();
        String at = where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
        return new GatewayException(GatewayError.invalid(null, "invalid_json",
                "We could not parse the JSON body of your request: " + e.getOriginalMessage() + at + "."));
    }

    /**
     * The 400 for a body whose field names flood Jackson's symbol table with hash collisions (a denial-of-service
     * pattern): Jackson reports it as an {@link IllegalStateException}, the only one a parser throws on input.
     */
    static GatewayException collidingNames() {
        return new GatewayException(GatewayError.invalid(null, "invalid_json",
                "We could not parse the JSON body of your request: too many colliding field names."));
    }

    static GatewayException trailingData() {
        return new GatewayException(GatewayError.invalid(null, "invalid_json",
                "We could not parse the JSON body of your request: unexpected data after the top-level value."));
    }

    static GatewayException notAnObject(JsonToken first) {
        if (first == null) {
            return new GatewayException(GatewayError.invalid(null, "invalid_json",
                    "We could not parse the JSON body of your request: the body is empty."));
        }
        return new GatewayException(GatewayError.invalid(null, "invalid_type",
                "The request body must be a JSON object, but got " + typeName(first) + " instead."));
    }

    static GatewayException invalidType(String param, String expected, JsonToken actual) {
        return new GatewayException(GatewayError.invalid(param, "invalid_type",
                "Invalid type for '" + param + "': expected " + expected + ", but got " + typeName(actual) + " instead."));
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

    static String typeName(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> "'" + token.asString() + "'";
        };
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

    /**
     * Consumes the value starting at the current token and returns its exact source text, so a value the gateway
     * does not interpret is handed on byte for byte.
     */
    static RawJson raw(JsonParser p, byte[] body) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        consumeValue(p);
        int end = (int) p.currentLocation().getByteOffset();
        return new RawJson(new String(body, start, end - start, StandardCharsets.UTF_8));
    }

    /** Moves past the whole value at the current token: a container's children, or the rest of a lazy scalar. */
    static void consumeValue(JsonParser p) throws IOException {
        if (p.currentToken().isStructStart()) {
            p.skipChildren();
        } else {
            // Jackson reads strings lazily; finishing the token moves the location past the closing quote.
            p.finishToken();
        }
    }

    /** Reads past the end of the top-level value and fails if anything but whitespace follows. */
    static void requireEnd(JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw trailingData();
        }
    }

    /** Reads what follows the opening brace of a top-level object, through the end of the input. */
    @FunctionalInterface
    interface ObjectBody<T> {
        T read(JsonParser p) throws IOException;
    }

    /**
     * Parses a body that must be one JSON object: {@code reader} starts after its opening brace and must read to
     * the end of the input (see {@link #requireEnd}). Every failure becomes the same 400 a client gets for it.
     */
    static <T> T readObject(byte[] body, int length, ObjectBody<T> reader) {
        try (JsonParser p = parser(body, length)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw notAnObject(first);
            }
            return reader.read(p);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IllegalStateException e) {
            throw collidingNames(); // Jackson's answer to a hash-flood of field names
        } catch (IOException e) {
            throw new UncheckedIOException("reading a byte array", e);
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
