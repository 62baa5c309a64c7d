package dev.tollgate.core.spi;

import java.util.List;

/**
 * What the gateway must know of a request before it routes it, read without decoding the whole body: the model,
 * whether it streams, whether the client asked for usage in the stream. Made by {@link ClientDialect#envelope}.
 */
public interface RequestEnvelope {

    /** The public model name the client asked for. */
    String model();

    boolean stream();

    /**
     * The end user the body names, for attribution and per-user limits: OpenAI's {@code user} (or its successor
     * {@code safety_identifier}), Anthropic's {@code metadata.user_id}; null when it names none.
     */
    String user();

    /** Whether the client itself asked for usage in a stream (OpenAI's {@code stream_options.include_usage}). */
    boolean clientWantsUsage();

    /**
     * The body has a top-level {@code prompt} field: it is completed by {@link ClientDialect#mergePrompt}, so a
     * missing model, an empty {@code messages} or (Anthropic) a missing {@code max_tokens} is not yet an error, and no
     * other fact of this envelope is to be used (its model may be empty). A request whose body names no prompt pays
     * nothing for this: the scan that reads the envelope sees the field name anyway.
     */
    boolean namesPrompt();

    /**
     * The client's cap on the answer's tokens, as a same-dialect upstream reads the body (OpenAI's
     * {@code max_completion_tokens} or {@code max_tokens}, Anthropic's {@code max_tokens}); 0 when it sets none.
     */
    int maxTokens();

    /**
     * Edits that forward the body to an upstream of the same dialect: the model becomes {@code upstreamModel};
     * with {@code forceUsage} a streamed reply is asked to carry usage even when the client did not ask; with
     * {@code maxTokens} above 0, every cap on the answer's tokens above it is lowered to it.
     */
    List<Splice> rewrite(String upstreamModel, boolean forceUsage, int maxTokens);
}
