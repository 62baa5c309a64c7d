package dev.tollgate.core.runtime;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a built-in mock provider behaves: deterministic answers derived from the prompt, at a configured pace,
 * with optional injected faults. Fault rates are fractions of requests, drawn from a seeded random source.
 *
 * @param latency time to the first byte of a reply
 * @param tokensPerSecond pace of streamed tokens; 0 means as fast as possible
 * @param chunks how many content chunks a streamed answer is split into (at least 1)
 * @param answerWords how many words a mock answer has when the request sets no {@code max_tokens}
 * @param embeddingDimensions size of mock embedding vectors
 * @param errorRate fraction of requests answered with {@code errorStatus}
 * @param resetRate fraction of streamed requests whose connection is cut after {@code resetAfterChunks} chunks
 */
public record MockProfile(
        Duration latency,
        double tokensPerSecond,
        int chunks,
        int answerWords,
        int embeddingDimensions,
        double errorRate,
        int errorStatus,
        double resetRate,
        int resetAfterChunks,
        long seed) {

    public static final MockProfile DEFAULTS = new MockProfile(Duration.ZERO, 0, 8, 24, 256, 0, 503, 0, 2, 42);

    public MockProfile {
        requireNonNull(latency, "latency");
        if (chunks < 1 || answerWords < 1 || embeddingDimensions < 1) {
            throw new IllegalArgumentException("chunks, answer words and dimensions must be at least 1");
        }
        if (errorRate < 0 || errorRate > 1 || resetRate < 0 || resetRate > 1) {
            throw new IllegalArgumentException("rates are fractions between 0 and 1");
        }
    }
}
