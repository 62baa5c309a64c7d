package dev.tollgate.providers.anthropic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.PromptRequest;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.core.spi.Splice;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.OverrideFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the same-dialect passthrough needs from an Anthropic Messages (or {@code count_tokens}) body, found in one
 * streaming pass without a tree: the model, whether it streams, and the byte range of the model value to rewrite.
 * Messages are checked for shape and skipped, so a large body costs one scan and no copies.
 *
 * <p>Bodies the dialect would refuse for the facts read here are refused the same way ({@link GatewayException},
 * 400, same param and code): not a UTF-8 JSON object, a missing or mistyped {@code model}, {@code stream} or
 * {@code messages}, an empty or oversized {@code messages} array, and for a chat a missing or invalid
 * {@code max_tokens} (Anthropic requires it; {@code count_tokens} takes none). Duplicate top-level keys are refused
 * too: an upstream keeps the last of two {@code model}s, and the gateway must route and bill on the one it uses.
 * So are top-level fields that would redirect or re-authenticate the upstream call ({@link OverrideFields}).
 * Immutable and thread-safe.
 *
 * @param model the client's {@code model}, unescaped
 * @param stream the client's {@code stream} (false when absent or null)
 * @param modelStart offset of the model value's opening quote in the scanned body
 * @param modelEnd offset just past its closing quote
 * @param maxTokens the chat's {@code max_tokens}; 0 for {@code count_tokens} or a body naming a prompt without one
 * @param maxTokensStart offset of its value, -1 when {@code maxTokens} is 0
 * @param maxTokensEnd offset just past its value
 * @param namesPrompt the body has a top-level {@code prompt} field (see {@link RequestEnvelope#namesPrompt()}); the
 *     model is then empty and its range -1 when the body has none
 */
public record AnthropicEnvelope(String model, boolean stream, String user, int modelStart, int modelEnd,
                                int maxTokens, int maxTokensStart, int maxTokensEnd,
                                boolean namesPrompt) implements RequestEnvelope {

    public AnthropicEnvelope {
        requireNonNull(model, "model");
        if (!(namesPrompt && modelStart < 0) && (modelStart < 0 || modelEnd <= modelStart)) {
            throw new IllegalArgumentException("bad model range [" + modelStart + ", " + modelEnd + ")");
        }
    }

    /**
     * Scans {@code body[0, length)} for {@code operation} ({@link Operation#CHAT} or
     * {@link Operation#COUNT_TOKENS}; the Anthropic API has no embeddings, so that one is an
     * {@link IllegalArgumentException}). Throws {@link GatewayException} with the dialect's 400 for a bad body. A
     * body with a top-level {@code prompt} is not checked for what the prompt may bring (the model, messages,
     * {@code max_tokens}): its envelope only says {@link #namesPrompt()}.
     */
    public static AnthropicEnvelope scan(byte[] body, int length, Operation operation) {
        requireNonNull(body, "body");
        if (operation == Operation.EMBEDDINGS) {
            throw new IllegalArgumentException("the Anthropic API has no embeddings endpoint");
        }
        if (length < 0 || length > body.length) {
            throw new IllegalArgumentException("length " + length + " outside the array of " + body.length);
        }
        return Json.readObject(body, length, AnthropicJson.MALFORMED, p -> scanObject(p, operation == Operation.CHAT));
    }

    private static AnthropicEnvelope scanObject(JsonParser p, boolean chat) throws IOException {
        String model = null;
        int modelStart = -1;
        int modelEnd = -1;
        boolean stream = false;
        String user = null;
        boolean sawMessages = false;
        int maxTokens = 0;
        int maxTokensStart = -1;
        int maxTokensEnd = -1;
        boolean sawPrompt = false;
        int messages = 0;
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (!seen.add(name)) {
                throw AnthropicJson.duplicate(name);
            }
            p.nextToken();
            switch (name) {
                case "model" -> {
                    modelStart = (int) p.currentTokenLocation().getByteOffset();
                    model = AnthropicJson.string(p, "model");
                    Json.consumeValue(p);
                    modelEnd = (int) p.currentLocation().getByteOffset();
                }
                case "stream" -> stream = Boolean.TRUE.equals(AnthropicJson.nullableBoolean(p, "stream"));
                case "metadata" -> user = userId(p);
                case "messages" -> {
                    // Empty is fine only when a prompt brings messages: decided once every field is read.
                    messages = checkMessages(p);
                    sawMessages = true;
                }
                case PromptRequest.FIELD -> {
                    sawPrompt = true;
                    Json.consumeValue(p);
                }
                case "max_tokens" -> {
                    if (chat) {
                        maxTokensStart = (int) p.currentTokenLocation().getByteOffset();
                        maxTokens = AnthropicJson.positiveInt(p, "max_tokens");
                        Json.consumeValue(p);
                        maxTokensEnd = (int) p.currentLocation().getByteOffset();
                    } else {
                        Json.consumeValue(p);
                    }
                }
                default -> {
                    OverrideFields.check(name);
                    Json.consumeValue(p);
                }
            }
        }
        Json.requireEnd(p, AnthropicJson.MALFORMED);
        if (sawPrompt) {
            return new AnthropicEnvelope(model == null ? "" : model, stream, user, modelStart, modelEnd, maxTokens,
                    maxTokensStart, maxTokensEnd, true);
        }
        if (model == null) {
            throw AnthropicJson.missing("model");
        }
        if (!sawMessages) {
            throw AnthropicJson.missing("messages");
        }
        if (messages == 0) {
            throw TurnReader.emptyMessages();
        }
        if (chat && maxTokens == 0) {
            throw AnthropicJson.missing("max_tokens");
        }
        return new AnthropicEnvelope(model, stream, user, modelStart, modelEnd, maxTokens, maxTokensStart, maxTokensEnd,
                false);
    }

    /** {@code metadata.user_id} when {@code metadata} is an object holding it as a string; the rest is skipped. */
    private static String userId(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            Json.consumeValue(p);
            return null;
        }
        String user = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean wanted = p.currentName().equals("user_id");
            p.nextToken();
            if (wanted) {
                user = Json.optionalText(p);
            } else {
                Json.consumeValue(p);
            }
        }
        return user;
    }

    /** The dialect's checks on {@code messages} that need no decoding: a bounded array of objects; returns its size. */
    private static int checkMessages(JsonParser p) throws IOException {
        AnthropicJson.expect(p, JsonToken.START_ARRAY, "messages", "a valid list");
        int count = 0;
        JsonToken token;
        while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
            if (count == TurnReader.MAX_MESSAGES) {
                throw TurnReader.tooManyMessages();
            }
            if (token != JsonToken.START_OBJECT) {
                throw AnthropicJson.invalidType("messages." + count, "a valid dictionary", token);
            }
            p.skipChildren();
            count++;
        }
        return count;
    }

    /** Anthropic streams always carry usage ({@code message_start} and {@code message_delta}). */
    @Override
    public boolean clientWantsUsage() {
        return true;
    }

    /**
     * The splice that aims the body at {@code upstreamModel}, and the one lowering {@code max_tokens} to
     * {@code maxTokens} when that is above 0 and below the client's. {@code forceUsage} needs no edit: an Anthropic
     * stream reports usage unasked.
     */
    @Override
    public List<Splice> rewrite(String upstreamModel, boolean forceUsage, int maxTokens) {
        requireNonNull(upstreamModel, "upstreamModel");
        Splice model = new Splice(modelStart, modelEnd, Json.quoted(upstreamModel));
        if (maxTokens <= 0 || maxTokens >= this.maxTokens) {
            return List.of(model);
        }
        Splice cap = new Splice(maxTokensStart, maxTokensEnd, Integer.toString(maxTokens).getBytes(StandardCharsets.US_ASCII));
        return modelStart < maxTokensStart ? List.of(model, cap) : List.of(cap, model);
    }
}
