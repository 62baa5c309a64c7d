package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

/**
 * Shadow traffic: a share of the requests for {@code model} is also sent to {@code target}, whose answer is
 * discarded once its latency, tokens and cost are recorded. The client's answer never depends on it.
 *
 * @param fraction of the requests mirrored, in (0, 1]
 */
public record Shadow(String model, String target, double fraction) {
    public Shadow {
        requireNonNull(model, "model");
        requireNonNull(target, "target");
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("a shadow fraction is in (0, 1]: " + fraction);
        }
    }
}
