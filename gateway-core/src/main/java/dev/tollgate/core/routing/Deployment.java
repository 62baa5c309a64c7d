package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.quota.Limits;
import java.net.URI;
import java.util.Map;

/**
 * One place a public model is served: a provider and the model name it knows.
 *
 * @param id stable across reloads ({@code <public model>/<provider>/<upstream model>}), used as a metrics label
 * @param weight relative share of traffic, at least 1
 * @param limits the deployment's own rate limits (an upstream account's quota, say); {@link Limits#NONE} when none
 * @param priority lower goes first: the strategy chooses among the available deployments of the lowest priority,
 *     and the others are tried only when those fail or are unavailable
 * @param contextWindow the most input plus output tokens the model takes, or 0 when unknown
 * @param tags labels that route rules select by (a {@code region}, say); every deployment also carries
 *     {@code provider=<its provider id>}
 * @param loadMetrics where a self-hosted server (vLLM, TGI) reports its own load in Prometheus text; null for none
 */
public record Deployment(String id, Provider provider, String upstreamModel, int weight, Limits limits, int priority,
                         long contextWindow, Map<String, String> tags, URI loadMetrics) {
    public Deployment {
        requireNonNull(id, "id");
        requireNonNull(provider, "provider");
        requireNonNull(upstreamModel, "upstreamModel");
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1: " + weight);
        }
        requireNonNull(limits, "limits");
        if (priority < 0 || contextWindow < 0) {
            throw new IllegalArgumentException("priority and context window cannot be negative");
        }
        tags = Map.copyOf(tags);
    }

    /** A deployment with default priority, no known context window, no tags and no load metrics. */
    public Deployment(String id, Provider provider, String upstreamModel, int weight, Limits limits) {
        this(id, provider, upstreamModel, weight, limits, 0, 0, Map.of(), null);
    }

    /** The value of a tag, counting the implicit {@code provider} tag; null when it has none. */
    public String tag(String name) {
        String value = tags.get(name);
        return value == null && name.equals("provider") ? provider.id() : value;
    }
}
