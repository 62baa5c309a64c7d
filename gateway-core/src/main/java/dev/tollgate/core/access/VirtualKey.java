package dev.tollgate.core.access;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A key apps present instead of a provider key. Known only by its hash.
 *
 * @param name unique among keys (config and runtime alike); what reports, logs and metrics show
 * @param team the team's name, or null for a key of no team
 * @param expires null when it never expires
 * @param models public model names the key may use, or names ending in {@code *} as prefixes; empty means all
 * @param endpoints route labels ({@code chat}, {@code messages}, {@code embeddings}, {@code count_tokens},
 *     {@code models}) the key may call; empty means all
 * @param budget null when the key has none of its own
 * @param perUser null when end users of this key are not limited separately
 * @param source where the key was defined
 */
public record VirtualKey(
        String name,
        KeyHash hash,
        String team,
        Instant created,
        Instant expires,
        boolean disabled,
        Set<String> models,
        Set<String> endpoints,
        Map<String, String> metadata,
        Limits limits,
        Budget budget,
        PerUser perUser,
        Source source) {

    /**
     * Keys in the YAML file are changed by editing it; keys made through the admin API live in the ledger; the
     * gateway's own internal key (its evaluators' calls through its proxy port) lives only in its process.
     */
    public enum Source { CONFIG, ADMIN_API, INTERNAL }

    public VirtualKey {
        requireNonNull(name, "name");
        requireNonNull(hash, "hash");
        requireNonNull(created, "created");
        models = Set.copyOf(models);
        endpoints = Set.copyOf(endpoints);
        metadata = Map.copyOf(metadata);
        requireNonNull(limits, "limits");
        requireNonNull(source, "source");
    }

    /** The store key of this key's counters. */
    public String scope() {
        return "key:" + name;
    }

    public boolean expiredAt(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    public boolean allowsModel(String model) {
        if (models.isEmpty() || models.contains(model)) {
            return true;
        }
        for (String allowed : models) {
            if (allowed.endsWith("*") && model.startsWith(allowed.substring(0, allowed.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    public boolean allowsEndpoint(String routeLabel) {
        return endpoints.isEmpty() || endpoints.contains(routeLabel);
    }

    public VirtualKey disabled(boolean value) {
        return new VirtualKey(name, hash, team, created, expires, value, models, endpoints, metadata, limits, budget,
                perUser, source);
    }
}
