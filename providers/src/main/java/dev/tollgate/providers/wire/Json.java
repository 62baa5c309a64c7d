package dev.tollgate.providers.wire;

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
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON factory and mapper of every provider codec, and the reading and writing primitives that do not depend
 * on a dialect's wording. All members are thread-safe.
 */
public final class Json {

    /** Deeper documents are rejected before any recursion can happen (no {@link StackOverflowError} on bombs). */
    public static final int MAX_DEPTH = 64;

    /**
     * The fast double reader and writer give the same values and text as the JDK's (both round correctly and write
     * the shortest form) at a fraction of the cost.
     */
    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    public static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY).build();

    private Json() {}

    /**
     * A parser over {@code body[0, length)}. Only UTF-8 is accepted (RFC 8259 section 8.1): the envelopes' splices
     * and raw extension slices are byte offsets, which only the UTF-8 parser reports. Any other encoding is a 400
     * ({@code invalid_json}).
     */
    public static JsonParser parser(byte[] body, int length) throws IOException {
        JsonParser parser = FACTORY.createParser(body, 0, length);
        if (!(parser instanceof UTF8StreamJsonParser)) {
            parser.close();
            throw new GatewayException(GatewayError.invalid(null, "invalid_json",
                    "The request body must be JSON encoded as UTF-8."));
        }
        return parser;
    }

    /** A generator writing UTF-8 into {@code out}. */
    public static JsonGenerator generator(ByteArrayBuilder out) {
        try {
            return FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads what follows the opening brace of a top-level object, through the end of the input. */
    @FunctionalInterface
    public interface ObjectBody<T> {
        T read(JsonParser p) throws IOException;
    }

    /**
     * Parses a client body that must be one JSON object: {@code reader} starts after its opening brace and must read
     * to the end of the input (see {@link #requireEnd}). Every parse failure becomes the 400 a client gets for it:
     * {@code json_depth_exceeded} past {@link #MAX_DEPTH}, {@code invalid_type} for a non-object, and otherwise
     * {@code invalid_json} in the dialect's {@code wording}. {@link GatewayException}s of {@code reader} pass as
     * they are.
     */
    public static <T> T readObject(byte[] body, int length, MalformedJson wording, ObjectBody<T> reader) {
        try (JsonParser p = parser(body, length)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw wording.because("the body is empty");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new GatewayException(GatewayError.invalid(null, "invalid_type",
                        "The request body must be a JSON object, but got " + typeName(first) + " instead."));
            }
            return reader.read(p);
        } catch (JsonProcessingException e) {
            throw malformed(e, wording);
        } catch (IllegalStateException e) {
            // Jackson's answer to a body whose field names flood its symbol table with hash collisions.
            throw wording.because("too many colliding field names");
        } catch (IOException e) {
            throw new UncheckedIOException("reading a byte array", e);
        }
    }

    private static GatewayException malformed(JsonProcessingException e, MalformedJson wording) {
        if (e instanceof StreamConstraintsException
                && String.valueOf(e.getOriginalMessage()).contains("nesting depth")) {
            return new GatewayException(GatewayError.invalid(null, "json_depth_exceeded",
                    "The request body nests JSON deeper than " + MAX_DEPTH + " levels."));
        }
        var where = e.getLocation();
        String at = where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
        return wording.because(e.getOriginalMessage() + at);
    }

    /**
     * Reads past the end of the top-level value and fails, in the dialect's {@code wording}, if anything but
     * whitespace follows.
     */
    public static void requireEnd(JsonParser p, MalformedJson wording) throws IOException {
        if (p.nextToken() != null) {
            throw wording.because(wording.trailingData());
        }
    }

    /** A token's JSON type as client errors name it: {@code an object}, {@code a string}, {@code null}, ... */
    public static String typeName(JsonToken token) {
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

    /** Moves past the whole value at the current token: a container's children, or the rest of a lazy scalar. */
    public static void consumeValue(JsonParser p) throws IOException {
        if (p.currentToken().isStructStart()) {
            p.skipChildren();
        } else {
            // Jackson reads strings lazily; finishing the token moves the location past the closing quote.
            p.finishToken();
        }
    }

    /**
     * The string at the current token, or null for any other value (consumed): for optional fields the gateway
     * reads for itself and the upstream validates, such as an end-user id.
     */
    public static String optionalText(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        consumeValue(p);
        return null;
    }

    /**
     * Consumes the value starting at the current token of a parser over {@code body} and returns its exact source
     * text, so a value the gateway does not interpret reaches the upstream byte for byte.
     */
    public static RawJson raw(JsonParser p, byte[] body) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        consumeValue(p);
        int end = (int) p.currentLocation().getByteOffset();
        return new RawJson(new String(body, start, end - start, StandardCharsets.UTF_8));
    }

    /** {@code text} as a JSON string literal, quotes included, in UTF-8. */
    public static byte[] quoted(String text) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
        byte[] out = new byte[escaped.length + 2];
        out[0] = '"';
        System.arraycopy(escaped, 0, out, 1, escaped.length);
        out[out.length - 1] = '"';
        return out;
    }

    /** A token count as a provider sent it; absent, null or nonsense (negative, text) reads as zero. */
    public static long count(JsonNode node) {
        return node != null && node.canConvertToLong() ? Math.max(0, node.asLong()) : 0;
    }
}
