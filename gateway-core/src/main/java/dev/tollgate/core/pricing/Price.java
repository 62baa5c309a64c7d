package dev.tollgate.core.pricing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.Usage;

/**
 * What a model costs, in dollars per million tokens of each kind.
 *
 * @param cachedInput input read from a prompt cache (often a tenth of {@code input})
 * @param cacheWrite input written to a prompt cache (Anthropic charges more than {@code input} for it)
 * @param reasoning output spent thinking, where priced apart from {@code output}
 * @param maxOutputTokens the most a single answer can hold, used to cap a request's worst case; 0 when unknown
 */
public record Price(Money input, Money output, Money cachedInput, Money cacheWrite, Money reasoning,
                    long maxOutputTokens) {
    private static final long MILLION = 1_000_000;

    public Price {
        requireNonNull(input, "input");
        requireNonNull(output, "output");
        requireNonNull(cachedInput, "cachedInput");
        requireNonNull(cacheWrite, "cacheWrite");
        requireNonNull(reasoning, "reasoning");
        if (input.nanos() < 0 || output.nanos() < 0 || cachedInput.nanos() < 0 || cacheWrite.nanos() < 0
                || reasoning.nanos() < 0 || maxOutputTokens < 0) {
            throw new IllegalArgumentException("prices cannot be negative");
        }
    }

    /** A price with cached input and cache writes at the input rate and reasoning at the output rate. */
    public static Price simple(Money input, Money output) {
        return new Price(input, output, input, input, output, 0);
    }

    /** The cost of actual usage: each kind of token at its own rate, rounded up to a whole nano-dollar. */
    public Money cost(Usage usage) {
        long plainInput = Math.max(0, usage.inputTokens() - usage.cachedInputTokens() - usage.cacheWriteTokens());
        long plainOutput = Math.max(0, usage.outputTokens() - usage.reasoningTokens());
        long perMillion = Math.addExact(Math.addExact(Math.addExact(Math.addExact(
                Math.multiplyExact(plainInput, input.nanos()),
                Math.multiplyExact(usage.cachedInputTokens(), cachedInput.nanos())),
                Math.multiplyExact(usage.cacheWriteTokens(), cacheWrite.nanos())),
                Math.multiplyExact(plainOutput, output.nanos())),
                Math.multiplyExact(usage.reasoningTokens(), reasoning.nanos()));
        return new Money(Math.ceilDiv(perMillion, MILLION));
    }

    /**
     * The most a request can cost: every input token at the dearest input rate, every output token at the
     * dearest output rate, so no mix of caching and reasoning the provider reports can exceed it.
     */
    public Money worstCase(long inputTokens, long outputTokens) {
        long in = Math.max(input.nanos(), Math.max(cachedInput.nanos(), cacheWrite.nanos()));
        long out = Math.max(output.nanos(), reasoning.nanos());
        return new Money(Math.ceilDiv(Math.addExact(Math.multiplyExact(inputTokens, in),
                Math.multiplyExact(outputTokens, out)), MILLION));
    }
}
