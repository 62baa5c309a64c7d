package dev.tollgate.core.model;

/**
 * Token counts of one exchange. {@code reported} is true when the provider said so and false when the gateway
 * estimated them (a stream cut short, a provider that sent none): spend reports keep the two apart.
 * An explicit zero from the provider is a reported zero, never replaced by an estimate.
 *
 * <p>{@code inputTokens} counts every prompt token the provider processed, cached reads and cache writes
 * included (OpenAI's {@code prompt_tokens}); {@code cachedInputTokens} and {@code cacheWriteTokens} are the parts
 * of it read from and written to a prompt cache, so they are priced differently. Providers that report the parts
 * separately (Anthropic's {@code input_tokens} excludes both) are summed into this form by their adapters.
 * {@code reasoningTokens} is the part of {@code outputTokens} spent thinking.
 */
public record Usage(
        long inputTokens,
        long outputTokens,
        long cachedInputTokens,
        long cacheWriteTokens,
        long reasoningTokens,
        boolean reported) {

    /** Nothing known yet. */
    public static final Usage UNKNOWN = new Usage(0, 0, 0, 0, 0, false);

    public Usage {
        if (inputTokens < 0 || outputTokens < 0 || cachedInputTokens < 0 || cacheWriteTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
    }

    public static Usage reported(long inputTokens, long outputTokens) {
        return new Usage(inputTokens, outputTokens, 0, 0, 0, true);
    }

    public static Usage estimated(long inputTokens, long outputTokens) {
        return new Usage(inputTokens, outputTokens, 0, 0, 0, false);
    }

    /**
     * The usage of a stream cut short: what the provider reported so far (Anthropic reports input and one output
     * token at the start), each count raised to {@code estimate}'s where that is higher, always marked estimated.
     */
    public Usage cutShort(Usage estimate) {
        return new Usage(Math.max(inputTokens, estimate.inputTokens), Math.max(outputTokens, estimate.outputTokens),
                cachedInputTokens, cacheWriteTokens, reasoningTokens, false);
    }

    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}
