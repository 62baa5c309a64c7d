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

    /**
     * Merges the registry prompt a request names into its body, in this dialect: the rendered system text and
     * messages go before the client's own, the version's parameters fill only what the client left unset, and the
     * model is the arm's, else the client's non-empty one, else the version's (none: the body is left without one, so
     * the envelope's missing-model 400 follows). The top-level {@code prompt} field is removed. Called only for a
     * request that names a prompt, by header or by that field ({@link RequestEnvelope#namesPrompt()}): the one
     * place a body becomes a tree.
     *
     * @param headers the prompt headers; {@link PromptRequest#NONE} when only the body may name it
     * @throws dev.tollgate.core.model.GatewayException a 400 for a malformed reference or variables, or a prompt named
     *     twice (header and body), a 404 from {@code resolver}
     */
    PromptedBody mergePrompt(byte[] body, Operation operation, PromptRequest headers, PromptResolver resolver);

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
