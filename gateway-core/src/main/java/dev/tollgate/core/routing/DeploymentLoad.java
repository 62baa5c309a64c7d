package dev.tollgate.core.routing;

/**
 * What the strategies compare between deployments.
 *
 * @param latencyNanos recent time to the response head (an exponentially weighted mean), or -1 when unknown
 * @param inFlight requests this gateway has in flight on it
 * @param quotaHeadroom the share of its upstream rate limit left in the current window, by the provider's own
 *     headers (the lower of requests and tokens), in [0, 1]; 1 when unknown
 * @param serverLoad the load a self-hosted server reports (waiting plus running requests per slot, say), or -1
 *     when it reports none
 */
public record DeploymentLoad(long latencyNanos, int inFlight, double quotaHeadroom, double serverLoad) {
    public static final DeploymentLoad UNKNOWN = new DeploymentLoad(-1, 0, 1, -1);
}
