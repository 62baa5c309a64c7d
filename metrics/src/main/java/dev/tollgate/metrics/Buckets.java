package dev.tollgate.metrics;

import java.time.Duration;

/** Histogram bucket bounds, chosen for what each histogram measures. */
final class Buckets {
    /** Whole requests and upstream calls: LLM calls run from milliseconds to minutes. */
    static final Duration[] LATENCY = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)
    };

    /**
     * The gateway's own time: tens of microseconds when all is well, milliseconds when something (a limit store, a
     * connection set-up, a retry's backoff) adds to it.
     */
    static final Duration[] OVERHEAD = {
        Duration.ofNanos(10_000), Duration.ofNanos(25_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100)
    };

    /** Time between output tokens of a stream: a few milliseconds on fast models, a quarter second on slow ones. */
    static final Duration[] PER_OUTPUT_TOKEN = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(20), Duration.ofMillis(30), Duration.ofMillis(50), Duration.ofMillis(75),
        Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1)
    };

    /** Tokens per request, input or output. */
    static final double[] TOKENS = {16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};

    /** Normalised feedback takes these values only: thumbs are 0 and 1, stars 0, 0.25, ... 1. */
    static final double[] FEEDBACK = {0, 0.25, 0.5, 0.75, 1};

    /**
     * Evaluation scores, 0 (worst) to 1 (best): tenths for the similarities of consistency and bias evaluators, plus
     * the quarters a judge's 1-5 verdict lands on exactly, and 0 itself (a guardrail's finding, a judge's worst).
     */
    static final double[] SCORE = {0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1};

    private Buckets() {}
}
