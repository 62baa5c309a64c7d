package dev.tollgate.core.routing;

import java.time.Duration;

/**
 * What the router knows of each deployment's health and load right now. Implemented by the server (circuit
 * breakers, bulkheads, latency and the providers' own rate-limit headers); tests use a fixed one.
 * Thread-safe: read by every event loop.
 */
public interface HealthView {
    /** A view where every deployment is available and nothing is known of its load. */
    HealthView ALL_AVAILABLE = new HealthView() {
        @Override
        public Duration unavailableFor(Deployment deployment) {
            return Duration.ZERO;
        }

        @Override
        public DeploymentLoad load(Deployment deployment) {
            return DeploymentLoad.UNKNOWN;
        }
    };

    /**
     * {@link Duration#ZERO} when the deployment can take a request now; otherwise how long until it may again
     * (its circuit is open, it is cooling down after a 429 with a reset time, its bulkhead is full, or its
     * provider reported its quota used up).
     */
    Duration unavailableFor(Deployment deployment);

    DeploymentLoad load(Deployment deployment);
}
