package dev.tollgate.core.observe;

import java.util.List;

/**
 * How a request was routed, for its access-log line and headers.
 *
 * @param tier the tier it went to, or null
 * @param tierRule the automatic-tier rule that chose the tier, or null
 * @param variant {@code <split>/<variant model>} when a split assigned it, or null
 * @param attempts upstream attempts made (0 when none was)
 * @param tried the deployment ids attempted, in order
 * @param fellBack a fallback model (not just another deployment of the same one) was tried
 */
public record RouteTrace(String tier, String tierRule, String variant, int attempts, List<String> tried,
                         boolean fellBack) {
    public static final RouteTrace NONE = new RouteTrace(null, null, null, 0, List.of(), false);

    public RouteTrace {
        tried = List.copyOf(tried);
    }
}
