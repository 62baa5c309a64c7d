package dev.tollgate.core.pricing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.Deployment;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The price of every deployment: overrides from config first, then the built-in table shipped with the gateway
 * ({@code prices.csv} next to this class; docs/pricing.md explains it).
 *
 * <p>Precedence for a deployment of provider {@code local} serving {@code llama-3.1-8b}: the override keyed
 * {@code local/llama-3.1-8b}, then the override keyed {@code llama-3.1-8b} (override keys match the model name
 * exactly as the deployment spells it), then the built-in table, whose
 * matching forgives the usual spellings of one model (dated snapshots, {@code -latest}, Bedrock and Vertex ids) but
 * never maps a model to another model's price.
 *
 * <p>Immutable and thread-safe; {@link #find} is pure CPU, never blocks and is meant for the request path. Results
 * are memoised per (provider, type, model), bounded, since deployments come from config and repeat.
 */
public final class PriceBook {

    /** Far above any real config's deployment count; past it, lookups are computed and not kept. */
    private static final int MEMO_LIMIT = 4096;

    private final PriceTable table;
    private final Map<String, Price> overrides;
    private final ConcurrentHashMap<Lookup, Optional<Price>> memo = new ConcurrentHashMap<>();

    private PriceBook(PriceTable table, Map<String, Price> overrides) {
        this.table = requireNonNull(table, "table");
        this.overrides = Map.copyOf(overrides);
    }

    /** The table shipped with the gateway and no overrides. The table is parsed once per JVM. */
    public static PriceBook builtIn() {
        return new PriceBook(BuiltIn.TABLE, Map.of());
    }

    /**
     * This book with {@code overrides} (the config's {@code prices:} section) added, each keyed by an upstream model
     * name ({@code gpt-4o-mini}) or by {@code <provider id>/<model>} ({@code local/llama-3.1-8b}). A key this book
     * already overrides takes the new price.
     */
    public PriceBook withOverrides(Map<String, Price> overrides) {
        var merged = new HashMap<>(this.overrides);
        overrides.forEach((key, price) -> {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("a price override needs a model name");
            }
            merged.put(key, requireNonNull(price, () -> "price of '" + key + "'"));
        });
        return new PriceBook(table, merged);
    }

    /**
     * The price of {@code upstreamModel} served by provider {@code providerId} of type {@code providerType}, or null
     * when nothing prices it (the caller then applies the configured {@link Unpriced} rule; it is never free).
     */
    public Price find(String providerId, String providerType, String upstreamModel) {
        var lookup = new Lookup(providerId, providerType, upstreamModel);
        Optional<Price> known = memo.get(lookup);
        if (known == null) {
            known = Optional.ofNullable(resolve(lookup));
            if (memo.size() < MEMO_LIMIT) {
                memo.putIfAbsent(lookup, known);
            }
        }
        return known.orElse(null);
    }

    /** {@link #find(String, String, String)} for a deployment's provider and model. */
    public Price find(Deployment deployment) {
        return find(deployment.provider().id(), deployment.provider().type(), deployment.upstreamModel());
    }

    private Price resolve(Lookup lookup) {
        Price price = overrides.get(lookup.providerId() + "/" + lookup.model());
        if (price == null) {
            price = overrides.get(lookup.model());
        }
        return price != null ? price : table.find(ModelName.parse(lookup.model()));
    }

    private record Lookup(String providerId, String providerType, String model) {
        Lookup {
            requireNonNull(providerId, "providerId");
            requireNonNull(providerType, "providerType");
            requireNonNull(model, "upstreamModel");
        }
    }

    /** Holder: the built-in table is parsed on first use, once. */
    private static final class BuiltIn {
        static final PriceTable TABLE = PriceTable.load("prices.csv");
    }
}
