package dev.tollgate.core.cache;

import java.time.Duration;

/**
 * The cache store port: answers by {@link CacheKey}. Called on event-loop threads, so an implementation answers
 * from memory without blocking; thread-safe. A shared second level (Redis) would sit behind this same interface.
 */
public interface ResponseCache {

    /** A stored answer and how long ago it was stored. */
    record Hit(CacheEntry entry, Duration age) {}

    /** The live entry for {@code key}, or null; counted as a hit or a miss. */
    Hit get(CacheKey key);

    /** Stores {@code entry} for its own ttl, replacing any entry under {@code key}. */
    void put(CacheKey key, CacheEntry entry);

    /**
     * Removes the entries of model group {@code model} in scope {@code scope} (either null for any), all of them
     * when both are null; returns how many were removed.
     */
    long purge(String model, String scope);

    /** Counts since start and the store's current size. */
    CacheStats stats();

    /**
     * @param entries live entries (an estimate while expired ones await cleanup)
     * @param bytes their estimated size, which the store keeps under its bound
     * @param evictions entries removed to keep the bound or because they expired
     */
    record CacheStats(long entries, long bytes, long hits, long misses, long evictions) {}
}
