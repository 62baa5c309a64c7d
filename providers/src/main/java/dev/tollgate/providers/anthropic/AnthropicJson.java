package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON factory and mapper of the Anthropic codecs, and the reading primitives that turn bad client input into
 * 400s the way Anthropic words them: the parameter as a dotted path ({@code messages.2.content.0.type}) followed by
 * a validation message ({@code Field required}, {@code Input should be a valid string}). Codes are the gateway's own
 * vocabulary, shared with the other dialects so metrics and logs read alike. All members are thread-safe.
 */
final class AnthropicJson {

    /** Deeper documents are rejected before any recursion can happen (no {@link StackOverflowError} on bombs). */
    static final int MAX_DEPTH = 64;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY).build();

    private AnthropicJson() {}

    /**
     * A parser over {@code body[0, length)}. Only UTF-8 is accepted (RFC 8259 section 8.1): the envelope's splices
     * and the raw extension slices are byte offsets, which only the UTF-8 parser reports.
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

    /** Reads what follows the opening brace of a top-level object, through the end of the input. */
    @FunctionalInterface
    interface ObjectBody<T> {
        T read(JsonParser p) throws IOException;
    }

    /**
     * Parses a body that must be one JSON object: {@code reader} starts after its opening brace and must read to
     * the end of the input ({@link #requireEnd}). Every failure becomes the 400 a client gets for it.
     */
    static <T> T readObject(byte[] body, int length, ObjectBody<T> reader) {
        try (JsonParser p = parser(body, length)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw first == null
                        ? malformedBody("the body is empty")
                        : new GatewayException(GatewayError.invalid(null, "invalid_type",
                                "The request body must be a JSON object, but got " + typeName(first) + " instead."));
            }
            return reader.read(p);
        } catch (StreamConstraintsException e) {
            if (String.valueOf(e.getOriginalMessage()).contains("nesting depth")) {
                throw new GatewayException(GatewayError.invalid(null, "json_depth_exceeded",
                        "The request body nests JSON deeper than " + MAX_DEPTH + " levels."));
            }
            throw malformedBody(e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            throw malformedBody(e.getOriginalMessage()
                    + (where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")"));
        } catch (IllegalStateException e) {
            // Jackson's answer to a body whose field names flood its symbol table with hash collisions.
            throw malformedBody("too many colliding field names");
        } catch (IOException e) {
            throw new UncheckedIOException("reading a byte array", e);
        }
    }

    private static GatewayException malformedBody(String why) {
        return new GatewayException(GatewayError.invalid(null, "invalid_json",
                "The request body is not valid JSON: " + why + "."));
    }

    /** Reads past the end of the top-level value and fails if anything but whitespace follows. */
    static void requireEnd(JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw malformedBody("unexpected data after the top-level object");
        }
    }

    static GatewayException missing(String param) {
        return new GatewayException(GatewayError.invalid(param, "missing_required_parameter", param + ": Field required"));
    }

    /** {@code expected} in Anthropic's words: {@code a valid string}, {@code a valid list}, ... */
    static GatewayException invalidType(String param, String expected, JsonToken actual) {
        return new GatewayException(GatewayError.invalid(param, "invalid_type",
                param + ": Input should be " + expected + ", but got " + typeName(actual) + " instead"));
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

    /**
     * Consumes the value at the current token and returns its exact source text, so a value the gateway does not
     * interpret reaches an Anthropic upstream byte for byte.
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

    /** {@code text} as a JSON string literal, quotes included, in UTF-8. */
    static byte[] quoted(String text) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
        byte[] out = new byte[escaped.length + 2];
        out[0] = '"';
        System.arraycopy(escaped, 0, out, 1, escaped.length);
        out[out.length - 1] = '"';
        return out;
    }
}
