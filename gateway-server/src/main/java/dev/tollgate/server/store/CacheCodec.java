package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A cached answer as the bytes of one Redis value, shared by every replica: a one-byte tag, then canonical JSON,
 * gzip-compressed when the JSON is longer than {@link #COMPRESS_ABOVE} bytes.
 *
 * <p>The tag's low seven bits are the format version ({@link #VERSION}), its high bit says whether the rest is
 * compressed. A replica that meets a version it does not know (written by a newer gateway during a rolling
 * upgrade) rejects the value instead of guessing, and the caller treats it as a miss.
 *
 * <p>Version 1 JSON, members in this order, each left out when it has its default (shown in brackets):
 * {@code t} stored at (epoch millis), {@code l} ttl (millis), {@code i} id [""], {@code m} model [""],
 * {@code c} created [0], {@code o} output [none], {@code f} finish reason [stop], {@code u} usage [unknown],
 * {@code $} cost in nano-dollars [0]. A usage is {@code {i, o, ci, cw, r}} token counts [0] and {@code e: true}
 * when estimated. An output part is a JSON string for text, {@code {call, n, a}} for a tool call,
 * {@code {img, d}} for an image and {@code {res, c}} for a tool result. The names are spelled out here, not derived
 * from the records, so renaming a Java field never changes what is stored. One spelling per answer: the same
 * answer always encodes to the same bytes.
 *
 * <p>Decoding is strict (unknown or duplicate members, wrong types, trailing bytes are all rejected): a damaged or
 * foreign value must never be served as an answer. Stateless and thread-safe.
 */
final class CacheCodec {
    /** The format this gateway writes and the only one it reads. */
    static final int VERSION = 1;
    /** JSON longer than this is stored compressed: below it gzip's header costs more than it saves. */
    static final int COMPRESS_ABOVE = 1024;
    /** A compressed value that inflates beyond this is not one this gateway wrote. */
    static final int MAX_JSON_BYTES = 64 << 20;

    private static final int COMPRESSED = 0x80;
    private static final JsonFactory JSON = new JsonFactory();
    private static final JsonMapper READER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Set<String> ENTRY_FIELDS = Set.of("t", "l", "i", "m", "c", "o", "f", "u", "$");
    private static final Set<String> USAGE_FIELDS = Set.of("i", "o", "ci", "cw", "r", "e");
    private static final Set<String> CALL_FIELDS = Set.of("call", "n", "a");
    private static final Set<String> IMAGE_FIELDS = Set.of("img", "d");
    private static final Set<String> RESULT_FIELDS = Set.of("res", "c");

    private CacheCodec() {}

    /**
     * What one value holds.
     *
     * @param cost what the request that produced the answer was charged
     * @param storedAtMillis when it was stored, epoch milliseconds by the storing replica's clock
     * @param ttlMillis how long it is served from then
     */
    record Stored(ChatResponse response, Money cost, long storedAtMillis, long ttlMillis) {
        Stored {
            requireNonNull(response, "response");
            requireNonNull(cost, "cost");
            if (ttlMillis < 1) {
                throw new IllegalArgumentException("a stored answer needs a positive ttl: " + ttlMillis + " ms");
            }
        }
    }

    static byte[] encode(Stored stored) {
        byte[] json = json(stored);
        if (json.length <= COMPRESS_ABOVE) {
            byte[] value = new byte[json.length + 1];
            value[0] = VERSION;
            System.arraycopy(json, 0, value, 1, json.length);
            return value;
        }
        var out = new ByteArrayOutputStream(json.length / 3);
        out.write(VERSION | COMPRESSED);
        try (OutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory does not fail", e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a value written by {@link #encode}.
     *
     * @throws IllegalArgumentException when it is not one: empty, another format version, damaged compression,
     *         not JSON, or JSON that is not a stored answer; the message says which
     */
    static Stored decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("cached value is empty");
        }
        int tag = value[0] & 0xFF;
        int version = tag & ~COMPRESSED;
        if (version != VERSION) {
            throw new IllegalArgumentException("cached value has format version " + version
                    + " (tag 0x" + Integer.toHexString(tag) + "); this gateway reads version " + VERSION);
        }
        byte[] json = (tag & COMPRESSED) == 0 ? Arrays.copyOfRange(value, 1, value.length) : inflate(value);
        JsonNode root;
        try {
            root = READER.readTree(json);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("cached value is not valid JSON: " + reason, e);
        }
        try {
            return entry(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cached value is not a stored answer: " + e.getMessage(), e);
        }
    }

    private static byte[] inflate(byte[] value) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(value, 1, value.length - 1))) {
            byte[] json = in.readNBytes(MAX_JSON_BYTES + 1);
            if (json.length > MAX_JSON_BYTES) {
                throw new IllegalArgumentException("cached value inflates beyond " + MAX_JSON_BYTES + " bytes");
            }
            return json;
        } catch (IOException e) {
            throw new IllegalArgumentException("cached value is marked compressed but is not valid gzip: "
                    + e.getMessage(), e);
        }
    }

    // ---- writing

    private static byte[] json(Stored stored) {
        ChatResponse r = stored.response();
        var out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("t", stored.storedAtMillis());
            g.writeNumberField("l", stored.ttlMillis());
            if (!r.id().isEmpty()) {
                g.writeStringField("i", r.id());
            }
            if (!r.model().isEmpty()) {
                g.writeStringField("m", r.model());
            }
            if (r.created() != 0) {
                g.writeNumberField("c", r.created());
            }
            if (!r.output().isEmpty()) {
                g.writeArrayFieldStart("o");
                for (Part part : r.output()) {
                    part(g, part);
                }
                g.writeEndArray();
            }
            if (r.finishReason() != FinishReason.STOP) {
                g.writeStringField("f", finishCode(r.finishReason()));
            }
            if (!r.usage().equals(Usage.UNKNOWN)) {
                usage(g, r.usage());
            }
            if (!stored.cost().isZero()) {
                g.writeNumberField("$", stored.cost().nanos());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory does not fail", e);
        }
        return out.toByteArray();
    }

    private static void part(JsonGenerator g, Part part) throws IOException {
        switch (part) {
            case Part.Text t -> g.writeString(t.text());
            case Part.ToolCall c -> {
                g.writeStartObject();
                g.writeStringField("call", c.id());
                g.writeStringField("n", c.name());
                g.writeStringField("a", c.arguments());
                g.writeEndObject();
            }
            case Part.Image i -> {
                g.writeStartObject();
                g.writeStringField("img", i.url());
                if (i.detail() != null) {
                    g.writeStringField("d", i.detail());
                }
                g.writeEndObject();
            }
            case Part.ToolResult t -> {
                g.writeStartObject();
                g.writeStringField("res", t.toolCallId());
                g.writeStringField("c", t.content());
                g.writeEndObject();
            }
        }
    }

    private static void usage(JsonGenerator g, Usage u) throws IOException {
        g.writeObjectFieldStart("u");
        count(g, "i", u.inputTokens());
        count(g, "o", u.outputTokens());
        count(g, "ci", u.cachedInputTokens());
        count(g, "cw", u.cacheWriteTokens());
        count(g, "r", u.reasoningTokens());
        if (!u.reported()) {
            g.writeBooleanField("e", true);
        }
        g.writeEndObject();
    }

    private static void count(JsonGenerator g, String name, long n) throws IOException {
        if (n != 0) {
            g.writeNumberField(name, n);
        }
    }

    /** Spelled out rather than {@code name()}, so renaming a constant never changes what is stored. */
    private static String finishCode(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
        };
    }

    private static FinishReason finishReason(String code) {
        return switch (code) {
            case "stop" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            case "tool_calls" -> FinishReason.TOOL_CALLS;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> throw new IllegalArgumentException("unknown finish reason \"" + code + "\"");
        };
    }

    // ---- reading

    private static Stored entry(JsonNode root) {
        only(root, ENTRY_FIELDS, "the entry");
        var response = new ChatResponse(
                string(root, "i", ""),
                string(root, "m", ""),
                number(root, "c", 0),
                output(root.get("o")),
                root.has("f") ? finishReason(string(root, "f")) : FinishReason.STOP,
                root.has("u") ? usage(root.get("u")) : Usage.UNKNOWN);
        return new Stored(response, new Money(number(root, "$", 0)), required(root, "t"), required(root, "l"));
    }

    private static List<Part> output(JsonNode output) {
        if (output == null) {
            return List.of();
        }
        if (!output.isArray()) {
            throw new IllegalArgumentException("\"o\" is not an array");
        }
        var parts = new ArrayList<Part>(output.size());
        for (JsonNode p : output) {
            parts.add(part(p));
        }
        return parts;
    }

    private static Part part(JsonNode p) {
        if (p.isTextual()) {
            return new Part.Text(p.asText());
        }
        if (!p.isObject()) {
            throw new IllegalArgumentException("an output part is neither a string nor an object");
        }
        if (p.has("call")) {
            only(p, CALL_FIELDS, "a tool call");
            return new Part.ToolCall(string(p, "call"), string(p, "n"), string(p, "a"));
        }
        if (p.has("img")) {
            only(p, IMAGE_FIELDS, "an image");
            return new Part.Image(string(p, "img"), string(p, "d", null));
        }
        if (p.has("res")) {
            only(p, RESULT_FIELDS, "a tool result");
            return new Part.ToolResult(string(p, "res"), string(p, "c"));
        }
        throw new IllegalArgumentException("an output part of unknown kind");
    }

    private static Usage usage(JsonNode u) {
        if (!u.isObject()) {
            throw new IllegalArgumentException("\"u\" is not an object");
        }
        only(u, USAGE_FIELDS, "the usage");
        JsonNode estimated = u.get("e");
        if (estimated != null && !(estimated.isBoolean() && estimated.booleanValue())) {
            throw new IllegalArgumentException("\"e\" is present but not true");
        }
        return new Usage(number(u, "i", 0), number(u, "o", 0), number(u, "ci", 0), number(u, "cw", 0),
                number(u, "r", 0), estimated == null);
    }

    private static void only(JsonNode node, Set<String> allowed, String what) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(what + " is not an object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(what + " has an unknown member \"" + name + "\"");
            }
        }
    }

    private static String string(JsonNode node, String name) {
        if (!node.has(name)) {
            throw new IllegalArgumentException("\"" + name + "\" is missing");
        }
        return string(node, name, null);
    }

    /** The string member {@code name}, or {@code absent} when there is none. */
    private static String string(JsonNode node, String name, String absent) {
        JsonNode value = node.get(name);
        if (value == null) {
            return absent;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("\"" + name + "\" is not a string");
        }
        return value.textValue();
    }

    private static long required(JsonNode node, String name) {
        if (!node.has(name)) {
            throw new IllegalArgumentException("\"" + name + "\" is missing");
        }
        return number(node, name, 0);
    }

    private static long number(JsonNode node, String name, long absent) {
        JsonNode value = node.get(name);
        if (value == null) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException("\"" + name + "\" is not a whole number");
        }
        return value.longValue();
    }
}
