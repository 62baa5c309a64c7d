package dev.tollgate.core.spi;

/** What a request asks of a model, and so which upstream endpoint a call goes to. */
public enum Operation {
    CHAT,
    EMBEDDINGS,
    /** Counting a chat request's input tokens (Anthropic's {@code count_tokens}); served by chat models. */
    COUNT_TOKENS;

    /** The operation a model group must serve to take this request. */
    public Operation servedBy() {
        return this == COUNT_TOKENS ? CHAT : this;
    }
}
