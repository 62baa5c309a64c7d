package dev.tollgate.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.Demand;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.quota.ScopeUsage;
import dev.tollgate.core.runtime.StorageSettings.OnStoreFailure;
import dev.tollgate.server.testing.RedisKeysCleaner;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An admission whose answer is lost: the script runs in Redis after the store gave up waiting for it. The store
 * must undo it, or the slot and the reserved cost would stay held until the lease expires.
 */
class RedisLostAnswerTest {
    private final String prefix = RedisKeysCleaner.randomPrefix("lost-answer");

    @AfterEach
    void clean() {
        RedisKeysCleaner.deleteAll(prefix);
    }

    @Test
    void anAdmissionThatTimedOutIsReleasedOnceItRuns() throws Exception {
        var check = new QuotaCheck("key:k", new Limits(0, 1_000, 1), null, null);
        Instant now = Instant.now();
        RedisClient pauser = RedisClient.create(RedisKeysCleaner.URI);
        try (var store = new RedisQuotaStore(RedisKeysCleaner.URI, prefix, OnStoreFailure.FAIL_CLOSED,
                OnStoreFailure.FAIL_CLOSED, ZoneOffset.UTC, Duration.ofMillis(100));
             var pause = pauser.connect()) {
            // Warm the connection and the script cache, then hold every write for longer than the store waits.
            store.usage(check, now).toCompletableFuture().join();
            pause.sync().clientPause(600);
            Admission lost = store.admit(new Demand("r1", List.of(check), 400, Money.ZERO, now, Duration.ofMinutes(5)))
                    .toCompletableFuture().join();
            assertThat(lost).isInstanceOf(Admission.Unavailable.class);
            Thread.sleep(1_000); // the pause ends; the admit script runs, then the release behind it
            ScopeUsage usage = store.usage(check, now).toCompletableFuture().join();
            assertThat(usage.concurrent()).isZero();
            assertThat(usage.tokens()).isZero();
        } finally {
            pauser.shutdown();
        }
    }
}
