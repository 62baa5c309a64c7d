package dev.tollgate.core.routing;

import java.time.Duration;

/**
 * What the client asked for this request through headers, already bounded by {@link Resilience.ClientControls}.
 *
 * @param timeout the request's overall deadline, or null for the provider's
 * @param retries further attempts on a deployment that failed, or -1 for the config's
 * @param fallbacks false when the client turned fallbacks off (it then gets the first deployment's failure)
 */
public record RequestOptions(Duration timeout, int retries, boolean fallbacks) {
    public static final RequestOptions DEFAULTS = new RequestOptions(null, -1, true);
}
