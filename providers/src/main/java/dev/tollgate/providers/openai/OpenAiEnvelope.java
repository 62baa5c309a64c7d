package dev.tollgate.providers.openai;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.PromptRequest;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.core.spi.Splice;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.OverrideFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the same-dialect passthrough needs from an OpenAI request body, found in one streaming pass without building
 * a tree: the model, whether it streams and asked for usage, and the byte offsets to rewrite. Messages and inputs are
 * checked for shape and skipped, so a large body costs one scan and no copies; {@link #rewrite} then says which byte
 * ranges to replace, and the caller assembles the upstream body from slices of its own buffer.
 *
 * <p>Offsets index the scanned array (from 0). Bodies that are not UTF-8 JSON objects are refused like the dialect
 * refuses them ({@link GatewayException}, 400, same param and code), as are duplicate top-level keys: an upstream
 * keeps the last of two {@code model}s, and the gateway must route and bill on the model the upstream uses.
 * Top-level fields that would redirect or re-authenticate the upstream call are refused by name
 * ({@link OverrideFields}).
 * Immutable and thread-safe.
 *
 * @param model the client's {@code model}, unescaped
 * @param stream the client's {@code stream} (false when absent or null)
 * @param user the client's {@code user}, else its {@code safety_identifier}; null when neither is a string
 * @param clientWantsUsage {@code stream_options.include_usage} was true
 * @param modelValue the {@code model} value, quotes included
 * @param streamOptionsMember the whole {@code "stream_options": ...} member, or {@link Span#NONE}
 * @param streamOptionsValue its value (an object or {@code null}), or {@link Span#NONE}
 * @param includeUsageValue the {@code include_usage} value inside it, or {@link Span#NONE}
 * @param streamOptionsFields members of the {@code stream_options} object; -1 when it is null or absent
 * @param closingBrace the offset of the body's final {@code }}
 * @param maxTokensField the {@code max_tokens} member, or {@link OutputCap#NONE}
 * @param maxCompletionTokensField the {@code max_completion_tokens} member, or {@link OutputCap#NONE}
 * @param namesPrompt the body has a top-level {@code prompt} field (see {@link RequestEnvelope#namesPrompt()}); the
 *     model is then empty and {@code modelValue} {@link Span#NONE} when the body has none
 */
public record OpenAiEnvelope(
        String model,
        boolean stream,
        String user,
        boolean clientWantsUsage,
        Span modelValue,
        Span streamOptionsMember,
        Span streamOptionsValue,
        Span includeUsageValue,
        int streamOptionsFields,
        int closingBrace,
        OutputCap maxTokensField,
        OutputCap maxCompletionTokensField,
        boolean namesPrompt) implements RequestEnvelope {

    /** A byte range {@code [start, end)} of the scanned body. */
    public record Span(int start, int end) {
        public static final Span NONE = new Span(-1, -1);

        public boolean present() {
            return start >= 0;
        }
    }

    private static final byte[] ADD_STREAM_OPTIONS = ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STREAM_OPTIONS_OBJECT = "{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INCLUDE_USAGE_ONLY = "\"include_usage\":true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INCLUDE_USAGE_FIRST = "\"include_usage\":true,".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);

    public OpenAiEnvelope {
        requireNonNull(model, "model");
        requireNonNull(modelValue, "modelValue");
        requireNonNull(streamOptionsMember, "streamOptionsMember");
        requireNonNull(streamOptionsValue, "streamOptionsValue");
        requireNonNull(includeUsageValue, "includeUsageValue");
        requireNonNull(maxTokensField, "maxTokensField");
        requireNonNull(maxCompletionTokensField, "maxCompletionTokensField");
    }

    /**
     * Scans {@code body[0, length)}: {@code model} is required (a string), {@code stream} optional (a boolean), a
     * chat request needs a non-empty {@code messages} array of objects (at most
     * {@value MessageReader#MAX_MESSAGES}), an embeddings request an {@code input}. Throws {@link GatewayException}
     * with the dialect's 400 otherwise. A body with a top-level {@code prompt} is not checked for what the prompt
     * may bring (the model, messages): its envelope only says {@link #namesPrompt()}.
     */
    public static OpenAiEnvelope scan(byte[] body, int length, Operation operation) {
        requireNonNull(body, "body");
        requireNonNull(operation, "operation");
        if (length < 0 || length > body.length) {
            throw new IllegalArgumentException("length " + length + " outside the array of " + body.length);
        }
        return Json.readObject(body, length, WireJson.MALFORMED, p -> scanObject(p, operation));
    }

    private static OpenAiEnvelope scanObject(JsonParser p, Operation operation) throws IOException {
        String model = null;
        Span modelValue = Span.NONE;
        boolean stream = false;
        String user = null;
        String safetyId = null;
        boolean wantsUsage = false;
        Span member = Span.NONE;
        Span options = Span.NONE;
        Span includeUsage = Span.NONE;
        int optionFields = -1;
        OutputCap maxTokens = OutputCap.NONE;
        OutputCap maxCompletionTokens = OutputCap.NONE;
        boolean sawBody = false;
        boolean sawPrompt = false;
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (!seen.add(name)) {
                throw WireJson.duplicate(name);
            }
            int memberStart = offset(p);
            p.nextToken();
            int valueStart = offset(p);
            switch (name) {
                case "model" -> {
                    model = WireJson.string(p, "model");
                    modelValue = new Span(valueStart, end(p));
                }
                case "stream" -> stream = Boolean.TRUE.equals(WireJson.nullableBoolean(p, "stream"));
                case "max_tokens" -> maxTokens = OutputCap.read(p, valueStart);
                case "max_completion_tokens" -> maxCompletionTokens = OutputCap.read(p, valueStart);
                case "user" -> user = Json.optionalText(p);
                case "safety_identifier" -> safetyId = Json.optionalText(p);
                case "stream_options" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        WireJson.expect(p, JsonToken.START_OBJECT, "stream_options", "an object");
                        optionFields = 0;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            optionFields++;
                            boolean usageField = p.currentName().equals("include_usage");
                            p.nextToken();
                            if (usageField) {
                                if (includeUsage.present()) {
                                    throw WireJson.duplicate("stream_options.include_usage");
                                }
                                int start = offset(p);
                                wantsUsage = Boolean.TRUE.equals(WireJson.nullableBoolean(p, "stream_options.include_usage"));
                                includeUsage = new Span(start, end(p));
                            } else {
                                Json.consumeValue(p);
                            }
                        }
                    }
                    options = new Span(valueStart, end(p));
                    member = new Span(memberStart, options.end());
                }
                case "messages" -> {
                    if (operation == Operation.CHAT) {
                        // Empty is fine only when a prompt brings messages: decided once every field is read.
                        sawBody = checkMessages(p) > 0;
                    } else {
                        Json.consumeValue(p);
                    }
                }
                case "input" -> {
                    if (operation == Operation.EMBEDDINGS && p.currentToken() != JsonToken.VALUE_NULL) {
                        sawBody = true;
                    }
                    Json.consumeValue(p);
                }
                case PromptRequest.FIELD -> {
                    sawPrompt = true;
                    Json.consumeValue(p);
                }
                default -> {
                    OverrideFields.check(name);
                    Json.consumeValue(p);
                }
            }
        }
        int closingBrace = offset(p);
        Json.requireEnd(p, WireJson.MALFORMED);
        if (sawPrompt) {
            return new OpenAiEnvelope(model == null ? "" : model, stream, user != null ? user : safetyId, wantsUsage,
                    modelValue, member, options, includeUsage, optionFields, closingBrace, maxTokens,
                    maxCompletionTokens, true);
        }
        if (model == null) {
            throw WireJson.missing("model");
        }
        if (!sawBody) {
            if (seen.contains("messages") && operation == Operation.CHAT) {
                throw new GatewayException(GatewayError.invalid("messages", "empty_array",
                        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."));
            }
            throw WireJson.missing(operation == Operation.CHAT ? "messages" : "input");
        }
        return new OpenAiEnvelope(model, stream, user != null ? user : safetyId, wantsUsage, modelValue, member, options, includeUsage, optionFields,
                closingBrace, maxTokens, maxCompletionTokens, false);
    }

    /** The dialect's checks on {@code messages} that need no decoding: a bounded array of objects; returns its size. */
    private static int checkMessages(JsonParser p) throws IOException {
        WireJson.expect(p, JsonToken.START_ARRAY, "messages", "an array");
        int count = 0;
        JsonToken token;
        while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
            if (count == MessageReader.MAX_MESSAGES) {
                throw new GatewayException(GatewayError.invalid("messages", "too_many_messages",
                        "Invalid 'messages': a request may hold at most " + MessageReader.MAX_MESSAGES + " messages."));
            }
            if (token != JsonToken.START_OBJECT) {
                throw WireJson.invalidType("messages[" + count + "]", "an object", token);
            }
            p.skipChildren();
            count++;
        }
        return count;
    }

    /**
     * A {@code max_tokens}-style member: its value when a positive int, and where that value lies.
     *
     * @param value the number, 0 for {@link #NONE}
     * @param span where the value lies, {@link Span#NONE} when absent or not a positive int
     */
    public record OutputCap(int value, Span span) {
        public static final OutputCap NONE = new OutputCap(0, Span.NONE);

        public OutputCap {
            requireNonNull(span, "span");
        }

        boolean present() {
            return span.present();
        }

        /**
         * Reads the current value. Anything but a positive int is left for the upstream (or the decoder) to
         * refuse: it is nothing the gateway could lower.
         */
        static OutputCap read(JsonParser p, int valueStart) throws IOException {
            boolean positiveInt = p.currentToken() == JsonToken.VALUE_NUMBER_INT
                    && p.getNumberType() == JsonParser.NumberType.INT && p.getIntValue() > 0;
            int value = positiveInt ? p.getIntValue() : 0;
            int end = end(p);
            return positiveInt ? new OutputCap(value, new Span(valueStart, end)) : NONE;
        }
    }

    private static int offset(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    /** The offset just past the current token's value, consuming what remains of it. */
    private static int end(JsonParser p) throws IOException {
        Json.consumeValue(p);
        return (int) p.currentLocation().getByteOffset();
    }

    /**
     * The splices that aim the body at {@code upstreamModel}; when {@code forceIncludeUsage} and the client did
     * not ask already, make the stream report usage: add {@code stream_options}, turn a null one into an object, set
     * {@code include_usage} to true, or add it next to the client's other options; and with {@code maxTokens} above
     * 0, lower {@code max_tokens} and {@code max_completion_tokens} to it where they are above. Sorted and
     * non-overlapping.
     */
    @Override
    public List<Splice> rewrite(String upstreamModel, boolean forceIncludeUsage, int maxTokens) {
        requireNonNull(upstreamModel, "upstreamModel");
        var splices = new ArrayList<Splice>(4);
        splices.add(new Splice(modelValue.start(), modelValue.end(), Json.quoted(upstreamModel)));
        if (maxTokens > 0) {
            lower(splices, maxTokensField, maxTokens);
            lower(splices, maxCompletionTokensField, maxTokens);
        }
        if (forceIncludeUsage && !clientWantsUsage) {
            splices.add(usageSplice());
        }
        splices.sort(Comparator.comparingInt(Splice::start));
        return List.copyOf(splices);
    }

    /**
     * The client's cap on output tokens: {@code max_completion_tokens}, else its deprecated alias
     * {@code max_tokens} (as the upstream reads them); 0 when it sets none.
     */
    @Override
    public int maxTokens() {
        return maxCompletionTokensField.present() ? maxCompletionTokensField.value() : maxTokensField.value();
    }

    /** Adds the splice that sets {@code field} to {@code cap} when it holds a number above it. */
    private static void lower(List<Splice> splices, OutputCap field, int cap) {
        if (field.value() > cap) {
            splices.add(new Splice(field.span().start(), field.span().end(), Integer.toString(cap)
                    .getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private Splice usageSplice() {
        if (!streamOptionsValue.present()) {
            // The body has at least its model before the brace, so the member always follows another.
            return new Splice(closingBrace, closingBrace, ADD_STREAM_OPTIONS);
        }
        if (streamOptionsFields < 0) {
            return new Splice(streamOptionsValue.start(), streamOptionsValue.end(), STREAM_OPTIONS_OBJECT);
        }
        if (includeUsageValue.present()) {
            return new Splice(includeUsageValue.start(), includeUsageValue.end(), TRUE);
        }
        int afterBrace = streamOptionsValue.start() + 1;
        return new Splice(afterBrace, afterBrace, streamOptionsFields == 0 ? INCLUDE_USAGE_ONLY : INCLUDE_USAGE_FIRST);
    }

    /**
     * The new body: {@code body[0, length)} with {@code splices} applied. For tests and callers without a
     * composite-buffer API; the server assembles the same bytes from slices instead.
     */
    public static byte[] apply(byte[] body, int length, List<Splice> splices) {
        int size = length;
        for (Splice s : splices) {
            size += s.replacement().length - (s.end() - s.start());
        }
        byte[] out = new byte[size];
        int from = 0;
        int to = 0;
        for (Splice s : splices) {
            if (s.start() < from || s.end() > length) {
                throw new IllegalArgumentException("splices must be sorted, disjoint and inside the body");
            }
            System.arraycopy(body, from, out, to, s.start() - from);
            to += s.start() - from;
            System.arraycopy(s.replacement(), 0, out, to, s.replacement().length);
            to += s.replacement().length;
            from = s.end();
        }
        System.arraycopy(body, from, out, to, length - from);
        return out;
    }
}
