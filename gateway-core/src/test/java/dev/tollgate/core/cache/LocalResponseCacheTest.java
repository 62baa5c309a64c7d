package dev.tollgate.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalResponseCacheTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final Ticker ticker = now::get;

    private static CacheEntry entry(String text, Duration ttl) {
        return new CacheEntry(new ChatResponse("id", "m", 1, List.of(new Part.Text(text)), FinishReason.STOP,
                Usage.reported(10, 5)), Money.ofUsd("0.01"), ttl);
    }

    private static CacheKey key(int i) {
        return new CacheKey("team:a", "m", Integer.toString(i));
    }

    @Test
    void servesUntilItsTtlThenNot() {
        var cache = new LocalResponseCache(1 << 20, ticker);
        cache.put(key(1), entry("short", Duration.ofSeconds(10)));
        cache.put(key(2), entry("long", Duration.ofMinutes(10)));
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        ResponseCache.Hit hit = cache.get(key(1));
        assertThat(hit.age()).isEqualTo(Duration.ofSeconds(9));
        assertThat(hit.entry().hits()).isEqualTo(1);
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(cache.get(key(1))).isNull();
        assertThat(cache.get(key(2)).entry().response().output()).containsExactly(new Part.Text("long"));
        assertThat(cache.stats()).isEqualTo(new ResponseCache.CacheStats(1, entry("long", Duration.ZERO.plusSeconds(1)).bytes(), 2, 1, 1));
    }

    @Test
    void purgesByModelByScopeOrEverything() {
        var cache = new LocalResponseCache(1 << 20, ticker);
        Duration ttl = Duration.ofMinutes(1);
        cache.put(new CacheKey("team:a", "fast", "1"), entry("a", ttl));
        cache.put(new CacheKey("team:a", "smart", "2"), entry("b", ttl));
        cache.put(new CacheKey("team:b", "fast", "3"), entry("c", ttl));
        cache.put(new CacheKey("team:b", "smart", "4"), entry("d", ttl));

        assertThat(cache.purge("fast", "team:a")).isEqualTo(1);
        assertThat(cache.purge("fast", null)).isEqualTo(1);
        assertThat(cache.purge(null, "team:b")).isEqualTo(1);
        assertThat(cache.get(new CacheKey("team:a", "smart", "2"))).isNotNull();
        assertThat(cache.purge(null, null)).isEqualTo(1);
        assertThat(cache.stats().entries()).isZero();
    }

    @Test
    void staysWithinItsByteBound() {
        long max = 64 << 10;
        var cache = new LocalResponseCache(max, ticker);
        long one = entry("x".repeat(1000), Duration.ofHours(1)).bytes();
        for (int i = 0; i < 200; i++) {
            cache.put(key(i), entry("x".repeat(1000), Duration.ofHours(1)));
            assertThat(cache.stats().bytes()).isLessThanOrEqualTo(max);
        }
        ResponseCache.CacheStats stats = cache.stats();
        assertThat(stats.entries()).isEqualTo(max / one);
        assertThat(stats.evictions()).isEqualTo(200 - max / one);
    }

    @Test
    void aPutReplacesWithItsOwnTtl() {
        var cache = new LocalResponseCache(1 << 20, ticker);
        cache.put(key(1), entry("old", Duration.ofHours(1)));
        now.addAndGet(Duration.ofMinutes(30).toNanos());
        cache.put(key(1), entry("new", Duration.ofSeconds(5)));
        assertThat(cache.get(key(1)).age()).isZero();
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(cache.get(key(1))).isNull();
    }
}
