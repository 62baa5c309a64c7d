package dev.tollgate.server.spend;

/**
 * How big a request can get, for reservations.
 *
 * @param inputTokens the prompt, counted by the {@link dev.tollgate.core.pricing.TokenCounter}
 * @param maxOutputTokens the client's output cap, -1 when it set none, 0 for requests with no output (embeddings)
 * @param choices answers asked for ({@code n}), at least 1
 */
public record RequestSize(long inputTokens, long maxOutputTokens, int choices) {
    public static final RequestSize NOTHING = new RequestSize(0, 0, 1);

    public RequestSize {
        if (inputTokens < 0 || maxOutputTokens < -1 || choices < 1) {
            throw new IllegalArgumentException("not a request size: " + inputTokens + "/" + maxOutputTokens + "/"
                    + choices);
        }
    }
}
