package dev.tollgate.core.spi;

import dev.tollgate.core.model.ChatRequest;

/**
 * The optional capability of a client dialect whose API has a token-counting endpoint (Anthropic's
 * {@code count_tokens}). When the upstream cannot count natively, the gateway answers with an estimate.
 */
public interface TokenCounting {
    /** A token-counting body as a chat request (such bodies need no {@code max_tokens}); 400s like decodeChat. */
    ChatRequest decodeCountTokens(byte[] body);

    byte[] encodeTokenCount(long inputTokens);
}
