package dev.tollgate.core.pricing;

import dev.tollgate.core.model.ChatRequest;

/**
 * Counts a request's input tokens before it is sent, for token limits and worst-case cost. Called on event loops
 * only when a limit or budget needs the number: pure CPU, no I/O. Never undercounts on purpose: where no exact
 * tokenizer is known for a model, the estimate errs high.
 */
public interface TokenCounter {

    /**
     * @param providerType the deployment's provider type ({@code openai}, {@code anthropic}, ...)
     * @param upstreamModel the model name the provider knows
     */
    long inputTokens(ChatRequest request, String providerType, String upstreamModel);
}
