package dev.tollgate.core.spi;

/**
 * The optional capability of a client dialect whose API has a token-counting endpoint (Anthropic's
 * {@code count_tokens}). When the upstream cannot count natively, the gateway answers with an estimate.
 */
public interface TokenCounting {
    byte[] encodeTokenCount(long inputTokens);
}
