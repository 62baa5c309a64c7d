package dev.tollgate.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The in-process store: a Caffeine cache bounded by the entries' estimated bytes, each entry living for its own
 * ttl. Maintenance (eviction, expiry) runs on the calling thread: it is a few pointer moves per write, and it keeps
 * the bound exact rather than overshooting while a background task catches up.
 */
public final class LocalResponseCache implements ResponseCache {
    private final Cache<CacheKey, CacheEntry> cache;
    private final Ticker ticker;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /** @param ticker the time source of ttls and ages; {@link Ticker#systemTicker()} outside tests */
    public LocalResponseCache(long maxBytes, Ticker ticker) {
        this.ticker = ticker;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((CacheKey k, CacheEntry v) -> (int) Math.min(Integer.MAX_VALUE, v.bytes()))
                .expireAfter(Expiry.writing((CacheKey k, CacheEntry v) -> v.ttl()))
                .ticker(ticker)
                .executor(Runnable::run)
                .removalListener((CacheKey k, CacheEntry v, RemovalCause cause) -> {
                    if (cause.wasEvicted()) {
                        evictions.increment();
                    }
                })
                .build();
    }

    @Override
    public Hit get(CacheKey key) {
        CacheEntry entry = cache.getIfPresent(key);
        if (entry == null) {
            misses.increment();
            return null;
        }
        hits.increment();
        entry.hit();
        return new Hit(entry, Duration.ofNanos(Math.max(0, ticker.read() - entry.createdNanos())));
    }

    @Override
    public void put(CacheKey key, CacheEntry entry) {
        entry.stored(ticker.read());
        cache.put(key, entry);
    }

    @Override
    public long purge(String model, String scope) {
        long before = cache.estimatedSize();
        if (model == null && scope == null) {
            cache.invalidateAll();
        } else {
            cache.asMap().keySet().removeIf(k -> (model == null || k.model().equals(model))
                    && (scope == null || k.scope().equals(scope)));
        }
        cache.cleanUp();
        return Math.max(0, before - cache.estimatedSize());
    }

    @Override
    public CacheStats stats() {
        cache.cleanUp();
        long bytes = cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
        return new CacheStats(cache.estimatedSize(), bytes, hits.sum(), misses.sum(), evictions.sum());
    }
}
