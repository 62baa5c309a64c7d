package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

/**
 * One place a public model is served: a provider and the model name it knows.
 *
 * @param id stable across reloads ({@code <public model>/<provider>/<upstream model>}), used as a metrics label
 * @param weight relative share of traffic, at least 1
 */
public record Deployment(String id, Provider provider, String upstreamModel, int weight) {
    public Deployment {
        requireNonNull(id, "id");
        requireNonNull(provider, "provider");
        requireNonNull(upstreamModel, "upstreamModel");
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1: " + weight);
        }
    }
}
