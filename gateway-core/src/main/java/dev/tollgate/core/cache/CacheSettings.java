package dev.tollgate.core.cache;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The config's {@code cache} section compiled: the store's size and each model group's policy.
 *
 * @param maxBytes the store's bound; read once at start (the store outlives reloads)
 * @param shared whether answers are also kept in Redis, for every replica; read once at start
 * @param defaults the policy of a group without a {@code cache} override
 * @param models the policy of each group that has an override, its unset fields taken from {@code defaults}
 */
public record CacheSettings(long maxBytes, boolean shared, CachePolicy defaults, Map<String, CachePolicy> models) {
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    /** No {@code cache} section: every policy off. */
    public static final CacheSettings OFF = new CacheSettings(DEFAULT_MAX_BYTES, false, CachePolicy.DEFAULTS,
            Map.of());

    public CacheSettings {
        requireNonNull(defaults, "defaults");
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
    }

    /** These settings with the store of {@code started}: its size and level, fixed when the process started. */
    public CacheSettings withStoreOf(CacheSettings started) {
        return new CacheSettings(started.maxBytes, started.shared, defaults, models);
    }

    /** The policy for a model group by its public name. */
    public CachePolicy policy(String model) {
        return models.getOrDefault(model, defaults);
    }

    /** Whether any group caches: when none does, responses carry no cache header at all. */
    public boolean anyEnabled() {
        if (defaults.enabled()) {
            return true;
        }
        for (CachePolicy policy : models.values()) { // on every chat request: no stream pipeline
            if (policy.enabled()) {
                return true;
            }
        }
        return false;
    }
}
