package dev.tollgate.core.pricing;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.EmbeddingRequest;

/**
 * Counts a request's input tokens before it is sent, for token limits and worst-case cost. Called only when a limit
 * or budget needs the number, on event loops or (for a large request) the gateway's measuring threads, so it must be
 * thread-safe: pure CPU, no I/O. Never undercounts on purpose: where no exact tokenizer is known for a model, the
 * estimate errs high.
 */
public interface TokenCounter {

    /**
     * @param providerType the deployment's provider type ({@code openai}, {@code anthropic}, ...)
     * @param upstreamModel the model name the provider knows
     */
    long inputTokens(ChatRequest request, String providerType, String upstreamModel);

    /**
     * The input tokens of an embeddings request. The default, for counters that know no tokenizer, assumes two
     * characters a token, at least one an input: above what any tokenizer in use produces for prose, code or
     * most scripts, so it errs high.
     */
    default long inputTokens(EmbeddingRequest request, String providerType, String upstreamModel) {
        long tokens = 0;
        for (String input : request.inputs()) {
            tokens += Math.max(1, (input.length() + 1) / 2);
        }
        return tokens;
    }
}
