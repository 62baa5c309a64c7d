package dev.tollgate.config;

import dev.tollgate.core.runtime.MockProfile;
import java.time.Duration;
import java.util.Set;

/**
 * Binds a mock provider's {@code mock} mapping (and its {@code faults}) into a {@link MockProfile}. Every key is
 * optional with {@link MockProfile#DEFAULTS}; the bounds keep a typo from asking the mock for a million chunks.
 */
final class MockSection {
    static final Set<String> KEYS = Set.of(
            "latency", "tokens_per_second", "chunks", "answer_words", "embedding_dimensions", "seed", "faults");
    static final Set<String> FAULT_KEYS = Set.of("error_rate", "error_status", "reset_rate", "reset_after_chunks");

    static final double MAX_TOKENS_PER_SECOND = 1_000_000;
    static final int MAX_CHUNKS = 10_000;
    static final int MAX_ANSWER_WORDS = 100_000;
    static final int MAX_EMBEDDING_DIMENSIONS = 65_536;

    private MockSection() {}

    static MockProfile bind(MappingReader mock) {
        MockProfile d = MockProfile.DEFAULTS;
        Duration latency = mock.duration("latency", d.latency(), Duration.ZERO);
        double tokensPerSecond = mock.number("tokens_per_second", d.tokensPerSecond(), 0, MAX_TOKENS_PER_SECOND);
        int chunks = mock.integer("chunks", d.chunks(), 1, MAX_CHUNKS);
        int answerWords = mock.integer("answer_words", d.answerWords(), 1, MAX_ANSWER_WORDS);
        int dimensions = mock.integer("embedding_dimensions", d.embeddingDimensions(), 1, MAX_EMBEDDING_DIMENSIONS);
        long seed = mock.wholeNumber("seed", d.seed(), Long.MIN_VALUE, Long.MAX_VALUE);
        MappingReader faults = mock.child("faults", FAULT_KEYS);
        return new MockProfile(
                latency,
                tokensPerSecond,
                chunks,
                answerWords,
                dimensions,
                faults.number("error_rate", d.errorRate(), 0, 1),
                // 4xx and 5xx only: a "fault" with status 200 would be a success the client cannot tell apart.
                faults.integer("error_status", d.errorStatus(), 400, 599),
                faults.number("reset_rate", d.resetRate(), 0, 1),
                faults.integer("reset_after_chunks", d.resetAfterChunks(), 0, MAX_CHUNKS),
                seed);
    }
}
