package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.ListedModel;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.PromptRequest;
import dev.tollgate.core.spi.PromptResolver;
import dev.tollgate.core.spi.PromptedBody;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.core.spi.TokenCounting;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.PromptMerge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The Anthropic Messages API as clients speak it (the Anthropic SDKs, Claude Code): {@code POST /v1/messages},
 * {@code POST /v1/messages/count_tokens} and {@code GET /v1/models}. Decoding streams through the body without a
 * tree, validates it the way Anthropic does (a 400 naming the field as a dotted path, e.g.
 * {@code messages.3.content.0.type}, {@code max_tokens} required) and keeps every top-level field it has no slot for
 * in {@link ChatRequest#extensions()} byte for byte. Nesting deeper than 64 levels and more than 10 000 messages are
 * refused before they cost memory. Errors are written in Anthropic's shape
 * ({@code {"type":"error","error":{"type","message"},"request_id"}}).
 *
 * <p>Stateless and thread-safe; never blocks. Stream encoders are per stream and single-threaded.
 */
public final class AnthropicDialect implements ClientDialect, TokenCounting {

    public static final String ID = "anthropic";

    /** What {@code created_at} says for every model: config has no dates, and the epoch reads as "unknown". */
    private static final String CREATED_AT = "1970-01-01T00:00:00Z";

    @Override
    public String id() {
        return ID;
    }

    /**
     * The routing facts of a Messages or count_tokens body ({@link AnthropicEnvelope#scan}); the Anthropic API has
     * no embeddings, so {@link Operation#EMBEDDINGS} is an {@link IllegalArgumentException}.
     */
    @Override
    public RequestEnvelope envelope(byte[] body, Operation operation) {
        return AnthropicEnvelope.scan(body, body.length, operation);
    }

    /** See {@link PromptMerging} for where the prompt goes in this dialect's body. */
    @Override
    public PromptedBody mergePrompt(byte[] body, Operation operation, PromptRequest headers,
                                    PromptResolver resolver) {
        return PromptMerge.apply(body, operation, headers, resolver, AnthropicJson.MALFORMED, PromptMerging.INSTANCE);
    }

    /** A Messages body; {@code max_tokens} is required, as Anthropic requires it. */
    @Override
    public ChatRequest decodeChat(byte[] body) {
        return MessagesRequestReader.read(body, true);
    }

    /**
     * A count_tokens body: a Messages body without {@code max_tokens} (and without {@code stream}, which is read
     * if present), for estimating the count when the upstream cannot count.
     */
    @Override
    public ChatRequest decodeCountTokens(byte[] body) {
        return MessagesRequestReader.read(body, false);
    }

    /** The {@code message} object; see {@link MessageCodec#write} for tool-call arguments that are not an object. */
    @Override
    public byte[] encodeChat(ChatResponse response) {
        return MessageCodec.write(response);
    }

    /** Messages-stream events for one stream; {@code responseId} is the message's {@code id}. */
    @Override
    public StreamEncoder streamEncoder(ChatRequest request, String responseId) {
        return new EventEncoder(request, responseId);
    }

    /** {@code {"type":"error","error":{"type","message"},"request_id"}}, the type from {@link ErrorTypes#type}. */
    @Override
    public byte[] encodeError(GatewayError error, String requestId) {
        return ErrorTypes.body(error, requestId);
    }

    /** {@code event: error} with the error body as its data: what Anthropic sends when a stream fails part-way. */
    @Override
    public byte[] encodeStreamError(GatewayError error, String requestId) {
        return ErrorTypes.event(error, requestId);
    }

    /**
     * {@code {"data":[{"type":"model","id","display_name","created_at","lifecycle":"active"}],"has_more":false,
     * "first_id","last_id"}} with the chat models only: an Anthropic client can call nothing else. Every model the
     * config serves is {@code active}; the capability and token-limit fields, which config does not know, are left
     * out (Anthropic's SDKs read them as absent).
     */
    /**
     * {@code anthropic-beta}: the features a client opts into (Claude Code asks for several); a same-dialect relay
     * must carry it or the upstream answers a different request than the one the client made.
     */
    @Override
    public Set<String> passthroughHeaders() {
        return Set.of("anthropic-beta");
    }

    @Override
    public byte[] encodeModelList(Collection<ListedModel> models) {
        List<String> names = new ArrayList<>(models.size());
        for (ListedModel model : models) {
            if (model.operation() == Operation.CHAT) {
                names.add(model.name());
            }
        }
        var out = new ByteArrayBuilder(64 + names.size() * 100);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            for (String name : names) {
                g.writeStartObject();
                g.writeStringField("type", "model");
                g.writeStringField("id", name);
                g.writeStringField("display_name", name);
                g.writeStringField("created_at", CREATED_AT);
                g.writeStringField("lifecycle", "active");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("has_more", false);
            g.writeStringField("first_id", names.isEmpty() ? null : names.getFirst());
            g.writeStringField("last_id", names.isEmpty() ? null : names.getLast());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    /** {@code {"input_tokens":n}}. */
    @Override
    public byte[] encodeTokenCount(long inputTokens) {
        var out = new ByteArrayBuilder(32);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("input_tokens", inputTokens);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }
}
