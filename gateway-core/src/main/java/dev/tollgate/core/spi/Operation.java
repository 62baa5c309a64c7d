package dev.tollgate.core.spi;

/** What a request asks of a model, and so which upstream endpoint a call goes to. */
public enum Operation {
    CHAT,
    EMBEDDINGS,
    /** Counting a chat request's input tokens (Anthropic's {@code count_tokens}); served by chat models. */
    COUNT_TOKENS;

    /**
     * The OpenTelemetry {@code gen_ai.operation.name} of this operation: {@code chat}, {@code embeddings}, and
     * {@code count_tokens} (no convention names it).
     */
    public String label() {
        return switch (this) {
            case CHAT -> "chat";
            case EMBEDDINGS -> "embeddings";
            case COUNT_TOKENS -> "count_tokens";
        };
    }

    /** The operation a model group must serve to take this request. */
    public Operation servedBy() {
        return this == COUNT_TOKENS ? CHAT : this;
    }
}
