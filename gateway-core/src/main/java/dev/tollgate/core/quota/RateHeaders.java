package dev.tollgate.core.quota;

import java.time.Duration;

/**
 * The values of OpenAI's {@code x-ratelimit-*} response headers: for requests and for tokens, the scope with the
 * least remaining wins. A limit of -1 means no scope limits that dimension (the headers are then left out).
 *
 * @param resetRequests until the request count next drops (the oldest counted requests leave the window)
 * @param resetTokens likewise for tokens
 */
public record RateHeaders(long limitRequests, long remainingRequests, Duration resetRequests,
                          long limitTokens, long remainingTokens, Duration resetTokens) {
    public static final RateHeaders NONE = new RateHeaders(-1, -1, Duration.ZERO, -1, -1, Duration.ZERO);
}
