package dev.tollgate.core.quality;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Which chat requests are kept for review, and how: the {@code review} config section.
 *
 * @param sampleRate the fraction of completed chat requests kept, 0 to 1
 * @param modelRates a model group's own fraction, where it has one
 * @param maxChars the longest prompt or answer kept, in characters; longer ones are cut and marked so
 * @param retention how long samples are kept before they are pruned
 */
public record ReviewSettings(double sampleRate, Map<String, Double> modelRates, int maxChars, Duration retention) {
    public static final int DEFAULT_MAX_CHARS = 20_000;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    /** Nothing sampled. */
    public static final ReviewSettings OFF = new ReviewSettings(0, Map.of(), DEFAULT_MAX_CHARS, DEFAULT_RETENTION);

    /** 2^-53: turns the top 53 bits of a hash into a double in [0, 1). */
    private static final double UNIT = 0x1.0p-53;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    public ReviewSettings {
        checkRate(sampleRate);
        modelRates = Map.copyOf(modelRates);
        modelRates.values().forEach(ReviewSettings::checkRate);
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be positive");
        }
        requireNonNull(retention, "retention");
    }

    private static void checkRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("a sample rate runs from 0 to 1, not " + rate);
        }
    }

    /** Whether any request can be sampled: otherwise the request path does no review work at all. */
    public boolean anySampled() {
        return sampleRate > 0 || modelRates.values().stream().anyMatch(r -> r > 0);
    }

    /** The fraction of model group {@code model}'s requests that is kept. */
    public double rate(String model) {
        Double own = model == null ? null : modelRates.get(model);
        return own != null ? own : sampleRate;
    }

    /**
     * Whether the request with this id is kept. Decided by a hash of the id alone, so every replica decides the
     * same for one request and a rate of 0 or 1 is exact; ids that differ by one character land far apart.
     */
    public boolean sampled(String requestId, String model) {
        double rate = rate(model);
        if (rate <= 0) {
            return false;
        }
        return rate >= 1 || position(requestId) < rate;
    }

    /**
     * Where an id falls in [0, 1): FNV-1a over its UTF-8 bytes, then the SplitMix64 finaliser to spread it. Runs for
     * every request while a rate is between 0 and 1, so an ASCII id (every id the gateway makes) is hashed from its
     * characters, without encoding it into a new array.
     */
    public static double position(String requestId) {
        return spread(fnv(FNV_OFFSET, requestId));
    }

    /**
     * {@link #position(String)} of {@code first}, a newline and {@code second}, without joining them: each online
     * evaluator draws on its name and the request's id for every request in its scope, and that draw must not
     * allocate.
     */
    public static double position(String first, String second) {
        return spread(fnv((fnv(FNV_OFFSET, first) ^ '\n') * FNV_PRIME, second));
    }

    /** FNV-1a of {@code text}'s UTF-8 bytes, continuing from {@code h}. */
    private static long fnv(long h, String text) {
        if (isAscii(text)) {
            for (int i = 0; i < text.length(); i++) {
                h = (h ^ text.charAt(i)) * FNV_PRIME;
            }
        } else {
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                h = (h ^ (b & 0xff)) * FNV_PRIME;
            }
        }
        return h;
    }

    /** The SplitMix64 finaliser, then the top 53 bits as a double in [0, 1). */
    private static double spread(long h) {
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return (h >>> 11) * UNIT;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
