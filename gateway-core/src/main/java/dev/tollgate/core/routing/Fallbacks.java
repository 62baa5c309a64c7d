package dev.tollgate.core.routing;

import java.util.List;

/**
 * The model groups a group falls back to, in order, by what went wrong. Names are checked against the config's
 * model groups when it loads.
 *
 * @param onError after a retryable failure (rate limited, overloaded, timeout, unreachable, 5xx) of every
 *     deployment of the group
 * @param onContextTooLong when the provider refused the prompt as longer than its context window
 * @param onContentFilter when the provider refused the request or the answer by its content policy
 */
public record Fallbacks(List<String> onError, List<String> onContextTooLong, List<String> onContentFilter) {
    public static final Fallbacks NONE = new Fallbacks(List.of(), List.of(), List.of());

    public Fallbacks {
        onError = List.copyOf(onError);
        onContextTooLong = List.copyOf(onContextTooLong);
        onContentFilter = List.copyOf(onContentFilter);
    }
}
