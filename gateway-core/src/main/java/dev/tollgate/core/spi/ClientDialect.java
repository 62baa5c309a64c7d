package dev.tollgate.core.spi;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.GatewayError;
import java.util.Collection;
import java.util.Set;

/**
 * A client-facing API dialect (OpenAI chat completions, Anthropic messages). Stateless and thread-safe.
 * Decoders throw {@link dev.tollgate.core.model.GatewayException} with the field at fault for bad input.
 */
public interface ClientDialect {

    /** A stable id, matched against {@link Passthrough#dialect()}. */
    String id();

    /**
     * The routing facts of a body, read without a tree when it is large. Throws
     * {@link dev.tollgate.core.model.GatewayException} for malformed JSON and for a missing or mistyped model,
     * stream flag or payload ({@code messages}, {@code input}).
     */
    RequestEnvelope envelope(byte[] body, Operation operation);

    ChatRequest decodeChat(byte[] body);

    byte[] encodeChat(ChatResponse response);

    StreamEncoder streamEncoder(ChatRequest request, String responseId);

    /** The dialect's error body; {@code requestId} lets a client quote the request to an operator. */
    byte[] encodeError(GatewayError error, String requestId);

    /**
     * The dialect's in-band error event for a stream that fails after it was committed, SSE framing included
     * (a stream encoder needs the request; a same-dialect relay has only the bytes).
     */
    byte[] encodeStreamError(GatewayError error, String requestId);

    /**
     * Client request headers (lower case) passed on when the body goes as is to an upstream of this dialect:
     * headers that opt into API features, such as Anthropic's {@code anthropic-beta}. Never credentials: the
     * upstream's come from config only.
     */
    Set<String> passthroughHeaders();

    /** The names a caller may send, in config order, in the shape of the dialect's {@code GET /v1/models}. */
    byte[] encodeModelList(Collection<ListedModel> models);
}
