package dev.tollgate.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.Demand;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.LocalQuotaStore;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.quota.QuotaStore;
import dev.tollgate.core.runtime.StorageSettings.OnStoreFailure;
import dev.tollgate.server.testing.RedisKeysCleaner;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas, each with its own store: Redis stores (separate Lettuce clients, one prefix) enforce one limit
 * between them; local stores each enforce it on their own, so together they admit twice as much.
 */
class SharedLimitTest {
    private static final String PREFIX = RedisKeysCleaner.randomPrefix("shared-limit");
    private static final Instant NOW = Instant.parse("2030-01-07T12:00:00Z");
    private static final QuotaCheck KEY = new QuotaCheck("key:shared", new Limits(20, 0, 0), null, null);

    @AfterAll
    static void deleteKeys() {
        RedisKeysCleaner.deleteAll(PREFIX);
    }

    @Test
    void twoRedisStoresEnforceOneLimitTogether() {
        try (QuotaStore a = redis(); QuotaStore b = redis()) {
            assertThat(grantedOf40(a, b)).isEqualTo(20);
        }
    }

    @Test
    void twoLocalStoresEachEnforceTheirOwn() {
        try (QuotaStore a = new LocalQuotaStore(ZoneOffset.UTC); QuotaStore b = new LocalQuotaStore(ZoneOffset.UTC)) {
            assertThat(grantedOf40(a, b)).isEqualTo(40);
        }
    }

    /** Forty requests alternating between the replicas, concurrently, all within one second. */
    private static long grantedOf40(QuotaStore a, QuotaStore b) {
        List<CompletableFuture<Admission>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            QuotaStore replica = i % 2 == 0 ? a : b;
            Demand demand = new Demand("r" + i, List.of(KEY), 0, Money.ZERO, NOW.plusMillis(i * 10),
                    Duration.ofMinutes(1));
            answers.add(replica.admit(demand).toCompletableFuture());
        }
        return answers.stream().map(CompletableFuture::join)
                .filter(Admission.Granted.class::isInstance).count();
    }

    private static QuotaStore redis() {
        return new RedisQuotaStore(RedisKeysCleaner.URI, PREFIX, OnStoreFailure.FAIL_CLOSED,
                OnStoreFailure.FAIL_CLOSED, ZoneOffset.UTC, RedisQuotaStore.DEFAULT_TIMEOUT);
    }
}
