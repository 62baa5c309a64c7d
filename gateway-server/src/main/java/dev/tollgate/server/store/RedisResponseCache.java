package dev.tollgate.server.store;

import dev.tollgate.core.cache.CacheEntry;
import dev.tollgate.core.cache.CacheKey;
import dev.tollgate.core.cache.ResponseCache;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The shared second level of the response cache: answers in Redis under the same {@link CacheKey}s and for the
 * same ttls as the in-process store, so one replica serves what another stored. Each answer is one value
 * ({@link CacheCodec}) that Redis expires itself ({@code SET ... PX ttl}).
 *
 * <p>The cache is an optimisation, never a dependency: while Redis is unreachable or slower than the timeout, or a
 * value cannot be read (damaged, written by another format version), a lookup is a miss and a store is dropped;
 * both are counted as errors, neither is thrown. One warning is logged per outage, one info line on recovery.
 *
 * <p>Age and remaining ttl come from the time the storing replica wrote into the value, by this replica's clock:
 * replicas are expected to keep their clocks in step (NTP); an answer that is already past its ttl by this
 * clock is a miss even while Redis still holds it. Purging scans one server, so it expects a standalone Redis
 * (or a primary), as the rest of the gateway's Redis use does.
 *
 * <p>Thread-safe; no method blocks (except {@link #close}). Stages complete on Lettuce's threads; callers hop back
 * to their own event loop.
 */
public final class RedisResponseCache implements AutoCloseable {
    /** What a command may take before the lookup counts as a miss: a shared cache slower than this saves nothing. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);

    private static final Logger LOG = Logger.getLogger(RedisResponseCache.class.getName());
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    /** Keys asked for per SCAN step of a purge, and so unlinked per command at most. */
    private static final int PURGE_BATCH = 500;

    private final RedisLink<String, byte[]> redis;
    private final CacheKeys keys;
    private final Clock clock;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicBoolean reachable = new AtomicBoolean(true);

    /**
     * Counts since start.
     *
     * @param errors lookups, stores and purges that failed (Redis unreachable or too slow) and values that could
     *        not be read; such a lookup is not also counted as a miss
     */
    public record Stats(long hits, long misses, long errors) {}

    /**
     * Starts connecting (without waiting): a Redis that is down now only makes the first lookups miss.
     *
     * @param redisUri {@code redis://host:port[/db]}
     * @param prefix prepended to every key, the same on every replica that shares answers
     * @param timeout per command ({@link #DEFAULT_TIMEOUT})
     */
    public RedisResponseCache(String redisUri, String prefix, Duration timeout) {
        this(redisUri, prefix, timeout, Clock.systemUTC());
    }

    RedisResponseCache(String redisUri, String prefix, Duration timeout, Clock clock) {
        this.keys = new CacheKeys(prefix);
        this.clock = clock;
        this.redis = new RedisLink<>(redisUri, timeout, CODEC);
    }

    /**
     * The answer stored under {@code key}, its entry's ttl being what remains of the stored one; null on a miss,
     * and null too when Redis cannot answer in time or the value cannot be read. Never completes exceptionally.
     */
    public CompletionStage<ResponseCache.Hit> get(CacheKey key) {
        String redisKey = keys.key(key);
        return redis.commands().thenCompose(c -> c.get(redisKey)).handle((value, error) -> {
            if (error != null) {
                failed("GET", error);
                return null;
            }
            answered();
            return value == null ? miss() : hit(redisKey, value);
        });
    }

    /** Stores {@code entry} for its ttl, replacing any answer under {@code key}; does not wait, never throws. */
    public void put(CacheKey key, CacheEntry entry) {
        long ttlMillis = entry.ttl().toMillis();
        if (ttlMillis < 1) {
            return; // Redis cannot keep anything for less than a millisecond, and no other replica could use it
        }
        byte[] value = CacheCodec.encode(
                new CacheCodec.Stored(entry.response(), entry.cost(), clock.millis(), ttlMillis));
        String redisKey = keys.key(key);
        redis.commands()
                .thenCompose(c -> c.set(redisKey, value, SetArgs.Builder.px(ttlMillis)))
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        failed("SET", error);
                    } else {
                        answered();
                    }
                });
    }

    /**
     * Removes the answers of model group {@code model} in scope {@code scope} (either null for any), all of them
     * when both are null, in steps of {@value #PURGE_BATCH} keys ({@code SCAN} then {@code UNLINK}, so Redis is
     * never blocked for long); completes with how many were removed, or fails when Redis cannot answer.
     */
    public CompletionStage<Long> purge(String model, String scope) {
        ScanArgs match = ScanArgs.Builder.matches(keys.pattern(model, scope)).limit(PURGE_BATCH);
        byte[] notice = PurgeNotice.encode(model, scope);
        return redis.commands()
                .thenCompose(c -> purgeFrom(c, ScanCursor.INITIAL, match, 0)
                        .thenCompose(removed -> c.publish(keys.purgeChannel(), notice).thenApply(told -> removed)))
                .whenComplete((removed, error) -> {
                    if (error != null) {
                        failed("SCAN/UNLINK", error);
                    } else {
                        answered();
                    }
                });
    }

    /**
     * Tells {@code purgeHere} of every purge made on any replica (this one included), so that the copies each
     * replica keeps in its own memory go too: {@code (model, scope)}, null for any.
     */
    public void followPurges(BiConsumer<String, String> purgeHere) {
        redis.subscribe(keys.purgeChannel(), (channel, notice) -> {
            PurgeNotice told = PurgeNotice.decode(notice);
            if (told != null) {
                purgeHere.accept(told.model(), told.scope());
            }
        });
    }

    public Stats stats() {
        return new Stats(hits.sum(), misses.sum(), errors.sum());
    }

    @Override
    public void close() {
        redis.close();
    }

    private static CompletionStage<Long> purgeFrom(RedisAsyncCommands<String, byte[]> redis, ScanCursor cursor,
                                                   ScanArgs match, long removed) {
        return redis.scan(cursor, match).thenCompose((KeyScanCursor<String> page) -> {
            CompletionStage<Long> unlinked = page.getKeys().isEmpty()
                    ? CompletableFuture.completedFuture(0L)
                    : redis.unlink(page.getKeys().toArray(String[]::new));
            return unlinked.thenCompose(n -> page.isFinished()
                    ? CompletableFuture.completedFuture(removed + n)
                    : purgeFrom(redis, page, match, removed + n));
        });
    }

    private ResponseCache.Hit hit(String redisKey, byte[] value) {
        CacheCodec.Stored stored;
        try {
            stored = CacheCodec.decode(value);
        } catch (IllegalArgumentException e) {
            errors.increment();
            LOG.log(Level.FINE, "unreadable cached answer at " + redisKey + ", treated as a miss", e);
            return null;
        }
        long age = Math.max(0, clock.millis() - stored.storedAtMillis());
        long remaining = stored.ttlMillis() - age;
        if (remaining < 1) {
            return miss();
        }
        hits.increment();
        var entry = new CacheEntry(stored.response(), stored.cost(), Duration.ofMillis(remaining));
        return new ResponseCache.Hit(entry, Duration.ofMillis(age));
    }

    private ResponseCache.Hit miss() {
        misses.increment();
        return null;
    }

    private void failed(String command, Throwable error) {
        errors.increment();
        if (reachable.compareAndSet(true, false)) {
            LOG.log(Level.WARNING, "Redis cannot answer (" + command + "); until it does, cached answers are not "
                    + "shared between replicas, each serves only its own", error);
        }
    }

    private void answered() {
        if (reachable.compareAndSet(false, true)) {
            LOG.info("Redis answers again; cached answers are shared between replicas again");
        }
    }
}
