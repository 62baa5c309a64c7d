package dev.tollgate.core.runtime;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.cache.CacheSettings;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.quality.ReviewSettings;
import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.RoutingTable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything compiled from one config: read by a request for its whole life, replaced whole on reload.
 *
 * @param source where it came from (a file path, or {@code built-in demo})
 * @param models public model name to group, in config order
 * @param access keys, teams and budgets; {@link AccessPolicy#OPEN} when the config defines none
 * @param prices the config's price overrides in USD per million tokens, keyed as written (an upstream model name,
 *     or {@code <provider id>/<upstream model>} for one provider's deployments only), in config order; the server
 *     lays them over its built-in price table
 * @param storage where the ledger and shared counters live; changes take effect at the next restart only
 * @param routing tiers, automatic tier selection, splits, shadows and resilience settings
 * @param cache the response cache's size and each model group's policy
 * @param review which requests are sampled for review, and how they are kept
 */
public record RuntimeSnapshot(
        String source,
        ServerSettings server,
        Map<String, Provider> providers,
        Map<String, ModelGroup> models,
        AccessPolicy access,
        Map<String, Price> prices,
        StorageSettings storage,
        RoutingTable routing,
        CacheSettings cache,
        ReviewSettings review) {
    public RuntimeSnapshot {
        requireNonNull(source, "source");
        requireNonNull(server, "server");
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        requireNonNull(access, "access");
        prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
        requireNonNull(storage, "storage");
        requireNonNull(routing, "routing");
        requireNonNull(cache, "cache");
        requireNonNull(review, "review");
    }

    /** The group for a public model name, or null. */
    public ModelGroup model(String name) {
        return models.get(name);
    }
}
