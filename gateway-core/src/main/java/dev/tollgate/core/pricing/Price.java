package dev.tollgate.core.pricing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.Usage;
import java.math.BigInteger;

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

    /**
     * The cost of actual usage: each kind of token at its own rate, rounded up to a whole nano-dollar, at most
     * {@link Money#MAX} (a provider may report any count; a cost must still come out).
     */
    public Money cost(Usage usage) {
        long plainInput = Math.max(0, usage.inputTokens() - usage.cachedInputTokens() - usage.cacheWriteTokens());
        long plainOutput = Math.max(0, usage.outputTokens() - usage.reasoningTokens());
        return perMillion(new long[] {plainInput, usage.cachedInputTokens(), usage.cacheWriteTokens(), plainOutput,
                usage.reasoningTokens()}, new long[] {input.nanos(), cachedInput.nanos(), cacheWrite.nanos(),
                output.nanos(), reasoning.nanos()});
    }

    /**
     * The most a request can cost: every input token at the dearest input rate, every output token at the
     * dearest output rate, so no mix of caching and reasoning the provider reports can exceed it.
     */
    public Money worstCase(long inputTokens, long outputTokens) {
        long in = Math.max(input.nanos(), Math.max(cachedInput.nanos(), cacheWrite.nanos()));
        long out = Math.max(output.nanos(), reasoning.nanos());
        return perMillion(new long[] {inputTokens, outputTokens}, new long[] {in, out});
    }

    /**
     * Sum of tokens times nano-dollars per million tokens, rounded up to whole nano-dollars; exact in long
     * arithmetic, which every real request fits, else in big integers, saturating at {@link Money#MAX}.
     */
    private static Money perMillion(long[] tokens, long[] rates) {
        try {
            long sum = 0;
            for (int i = 0; i < tokens.length; i++) {
                sum = Math.addExact(sum, Math.multiplyExact(tokens[i], rates[i]));
            }
            return new Money(Math.ceilDiv(sum, MILLION));
        } catch (ArithmeticException overflow) {
            BigInteger sum = BigInteger.ZERO;
            for (int i = 0; i < tokens.length; i++) {
                sum = sum.add(BigInteger.valueOf(tokens[i]).multiply(BigInteger.valueOf(rates[i])));
            }
            BigInteger[] division = sum.divideAndRemainder(BigInteger.valueOf(MILLION));
            BigInteger nanos = division[1].signum() > 0 ? division[0].add(BigInteger.ONE) : division[0];
            return nanos.bitLength() < Long.SIZE ? new Money(nanos.longValue()) : Money.MAX;
        }
    }
}
