package dev.tollgate.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.cache.CacheEntry;
import dev.tollgate.core.cache.CacheKey;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.server.testing.RedisKeysCleaner;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared second level against the machine's real Redis; each test gets its own key prefix. */
class RedisResponseCacheTest {
    private static final String PREFIX = RedisKeysCleaner.randomPrefix("response-cache");
    private static final AtomicInteger TESTS = new AtomicInteger();
    private static final Duration MINUTE = Duration.ofMinutes(1);
    /**
     * Generous, so a machine busy with other tests does not turn a slow answer into a lost one; the timeout
     * itself is tested with a server that never answers.
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final ChatResponse ANSWER = new ChatResponse("chatcmpl-1", "gpt-4o-mini", 1_700_000_000,
            List.of(new Part.Text("Bonjour, 世界 😀"), new Part.ToolCall("call_1", "lookup", "{\"q\":\"x\"}")),
            FinishReason.TOOL_CALLS, new Usage(12, 7, 4, 0, 2, true));

    private String prefix;
    private RedisResponseCache replicaA;
    private RedisResponseCache replicaB;

    @BeforeEach
    void openTwoReplicas() {
        prefix = PREFIX + TESTS.incrementAndGet() + ":";
        replicaA = new RedisResponseCache(RedisKeysCleaner.URI, prefix, TIMEOUT);
        replicaB = new RedisResponseCache(RedisKeysCleaner.URI, prefix, TIMEOUT);
    }

    @AfterEach
    void closeReplicas() {
        replicaA.close();
        replicaB.close();
    }

    @AfterAll
    static void deleteKeys() {
        RedisKeysCleaner.deleteAll(PREFIX);
    }

    @Test
    void anotherReplicaServesWhatOneStored() {
        CacheKey key = new CacheKey("team:red", "gpt-4o-mini", "ab12");
        putAndWait(replicaA, key, new CacheEntry(ANSWER, Money.ofUsd("0.0042"), MINUTE));

        ResponseCache.Hit hit = join(replicaB.get(key));

        assertThat(hit).isNotNull();
        assertThat(hit.entry().response()).isEqualTo(ANSWER);
        assertThat(hit.entry().cost()).isEqualTo(Money.ofUsd("0.0042"));
        assertThat(hit.age()).isBetween(Duration.ZERO, Duration.ofSeconds(5));
        assertThat(hit.entry().ttl()).isBetween(MINUTE.minusSeconds(5), MINUTE);
        assertThat(hit.entry().ttl().plus(hit.age())).isEqualTo(MINUTE);
        assertThat(replicaB.stats()).isEqualTo(new RedisResponseCache.Stats(1, 0, 0));
    }

    @Test
    void theKeyExpiresInRedisWithTheEntrysTtl() throws InterruptedException {
        CacheKey key = new CacheKey("global", "m", "short");
        putAndWait(replicaA, key, new CacheEntry(ANSWER, Money.ZERO, Duration.ofMillis(300)));
        assertThat(RedisKeysCleaner.ttlsMillis(prefix).values()).singleElement()
                .satisfies(ttl -> assertThat(ttl).isBetween(1L, 300L));
        assertThat(join(replicaB.get(key))).isNotNull();

        Thread.sleep(600);

        assertThat(join(replicaB.get(key))).isNull();
        assertThat(RedisKeysCleaner.ttlsMillis(prefix)).isEmpty();
        assertThat(replicaB.stats()).isEqualTo(new RedisResponseCache.Stats(1, 1, 0));
    }

    @Test
    void ageAndRemainingTtlAreReadFromTheStoredTime() {
        CacheKey key = new CacheKey("global", "m", "aged");
        putAndWait(replicaA, key, new CacheEntry(ANSWER, Money.ZERO, MINUTE));

        try (var later = new RedisResponseCache(RedisKeysCleaner.URI, prefix, TIMEOUT,
                Clock.offset(Clock.systemUTC(), Duration.ofSeconds(20)));
             var pastTtl = new RedisResponseCache(RedisKeysCleaner.URI, prefix, TIMEOUT,
                     Clock.offset(Clock.systemUTC(), Duration.ofSeconds(61)))) {
            ResponseCache.Hit hit = join(later.get(key));
            assertThat(hit.age()).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(25));
            assertThat(hit.entry().ttl()).isBetween(Duration.ofSeconds(35), Duration.ofSeconds(40));

            assertThat(join(pastTtl.get(key))).as("past its ttl by this replica's clock").isNull();
            assertThat(pastTtl.stats()).isEqualTo(new RedisResponseCache.Stats(0, 1, 0));
        }
    }

    @Test
    void anUnknownKeyIsAMiss() {
        assertThat(join(replicaB.get(new CacheKey("global", "m", "nothing")))).isNull();
        assertThat(replicaB.stats()).isEqualTo(new RedisResponseCache.Stats(0, 1, 0));
    }

    @Test
    void namesWithColonsAndGlobCharactersNeitherCollideNorWidenAPurge() {
        CacheKey aColonB = new CacheKey("c", "a:b", "d");
        CacheKey bColonC = new CacheKey("b:c", "a", "d");
        CacheKey star = new CacheKey("s", "gpt-*", "d");
        CacheKey four = new CacheKey("s", "gpt-4", "d");
        CacheKey bracket = new CacheKey("[s]", "m\\?", "d");
        CacheKey plain = new CacheKey("s", "m?", "d");
        List<CacheKey> all = List.of(aColonB, bColonC, star, four, bracket, plain);
        for (CacheKey key : all) {
            putAndWait(replicaA, key, entry(key.model() + " in " + key.scope()));
        }
        for (CacheKey key : all) {
            assertThat(text(join(replicaB.get(key)))).isEqualTo(key.model() + " in " + key.scope());
        }

        assertThat(join(replicaA.purge("gpt-*", null))).isEqualTo(1);
        assertThat(join(replicaA.purge("a", "b:c"))).isEqualTo(1);
        assertThat(join(replicaA.purge("m\\?", null))).isEqualTo(1);
        assertThat(join(replicaA.purge(null, "*"))).isZero();

        assertThat(join(replicaB.get(star))).isNull();
        assertThat(join(replicaB.get(bColonC))).isNull();
        assertThat(join(replicaB.get(bracket))).isNull();
        for (CacheKey kept : List.of(aColonB, four, plain)) {
            assertThat(join(replicaB.get(kept))).as(kept.toString()).isNotNull();
        }
    }

    @Test
    void purgeByModelByScopeAndEverything() {
        for (String model : List.of("m1", "m2")) {
            for (String scope : List.of("team:a", "team:b")) {
                for (int i = 0; i < 3; i++) {
                    putAndWait(replicaA, new CacheKey(scope, model, "d" + i), entry(model));
                }
            }
        }

        assertThat(join(replicaB.purge("m1", null))).isEqualTo(6);
        assertThat(join(replicaB.purge(null, "team:b"))).isEqualTo(3);
        assertThat(join(replicaB.purge("m2", "team:b"))).isZero();
        assertThat(join(replicaA.get(new CacheKey("team:a", "m2", "d0")))).isNotNull();
        assertThat(join(replicaA.get(new CacheKey("team:a", "m1", "d0")))).isNull();
        assertThat(join(replicaB.purge(null, null))).isEqualTo(3);
        assertThat(RedisKeysCleaner.ttlsMillis(prefix)).isEmpty();
    }

    @Test
    void aPurgeLargerThanOneScanStepRemovesEverything() {
        for (int i = 0; i < 1_200; i++) {
            replicaA.put(new CacheKey("global", "bulk", "d" + i), entry("x"));
        }
        join(replicaA.get(new CacheKey("global", "bulk", "sync"))); // one connection: after every SET
        assertThat(replicaA.stats().errors()).as("failed stores").isZero();

        assertThat(join(replicaB.purge("bulk", null))).isEqualTo(1_200);
        assertThat(RedisKeysCleaner.ttlsMillis(prefix)).isEmpty();
    }

    @Test
    void aValueThatDoesNotDecodeIsAMissCountedAsAnError() {
        CacheKey garbage = new CacheKey("global", "m", "garbage");
        CacheKey newer = new CacheKey("global", "m", "newer");
        RedisClient client = RedisClient.create(RedisKeysCleaner.URI);
        try (StatefulRedisConnection<String, byte[]> raw =
                     client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
            CacheKeys keys = new CacheKeys(prefix);
            raw.sync().set(keys.key(garbage), "not an answer".getBytes(UTF_8));
            raw.sync().set(keys.key(newer), "\u0002{\"t\":1,\"l\":1}".getBytes(UTF_8));
        } finally {
            client.shutdown();
        }

        assertThat(join(replicaB.get(garbage))).isNull();
        assertThat(join(replicaB.get(newer))).isNull();
        assertThat(replicaB.stats()).isEqualTo(new RedisResponseCache.Stats(0, 0, 2));
    }

    @Test
    void unreachableRedisMissesQuicklyAndNeverThrows() throws IOException {
        String closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = "redis://127.0.0.1:" + socket.getLocalPort();
        }
        try (var down = new RedisResponseCache(closedPort, prefix, RedisResponseCache.DEFAULT_TIMEOUT)) {
            assertMissesQuicklyAndCountsErrors(down);
        }
    }

    @Test
    void redisThatDoesNotAnswerMissesWithinTheTimeout() throws IOException {
        // Accepts connections (the kernel completes the handshake) but never reads or replies.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             var slow = new RedisResponseCache("redis://127.0.0.1:" + silent.getLocalPort(), prefix,
                     Duration.ofMillis(200))) {
            assertMissesQuicklyAndCountsErrors(slow);
        }
    }

    private static void assertMissesQuicklyAndCountsErrors(RedisResponseCache cache) {
        CacheKey key = new CacheKey("global", "m", "d");
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            assertThat(join(cache.get(key))).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
        cache.put(key, new CacheEntry(ANSWER, Money.ZERO, MINUTE));
        assertThat(cache.purge(null, null).toCompletableFuture()).failsWithin(Duration.ofSeconds(2));
        // The put's failure is counted when its stage fails, a moment after put returned.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (cache.stats().errors() < 5 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(cache.stats()).isEqualTo(new RedisResponseCache.Stats(0, 0, 5));
    }

    /** Stores through {@code cache} and waits until Redis has it: a later GET on the same connection follows it. */
    private static void putAndWait(RedisResponseCache cache, CacheKey key, CacheEntry entry) {
        cache.put(key, entry);
        RedisResponseCache.Stats before = cache.stats();
        join(cache.get(key));
        assertThat(cache.stats().errors()).as("errors while storing").isEqualTo(before.errors());
    }

    private static CacheEntry entry(String text) {
        return new CacheEntry(new ChatResponse("id", "m", 1, List.of(new Part.Text(text)), FinishReason.STOP,
                Usage.reported(1, 1)), Money.ZERO, MINUTE);
    }

    private static String text(ResponseCache.Hit hit) {
        assertThat(hit).isNotNull();
        return ((Part.Text) hit.entry().response().output().getFirst()).text();
    }

    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}
