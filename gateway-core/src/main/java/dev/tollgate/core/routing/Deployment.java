package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.quota.Limits;

/**
 * One place a public model is served: a provider and the model name it knows.
 *
 * @param id stable across reloads ({@code <public model>/<provider>/<upstream model>}), used as a metrics label
 * @param weight relative share of traffic, at least 1
 * @param limits the deployment's own rate limits (an upstream account's quota, say); {@link Limits#NONE} when none
 */
public record Deployment(String id, Provider provider, String upstreamModel, int weight, Limits limits) {
    public Deployment {
        requireNonNull(id, "id");
        requireNonNull(provider, "provider");
        requireNonNull(upstreamModel, "upstreamModel");
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1: " + weight);
        }
        requireNonNull(limits, "limits");
    }
}
