package dev.tollgate.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.Period;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.quota.QuotaStore;
import dev.tollgate.core.quota.QuotaStoreContract;
import dev.tollgate.core.runtime.StorageSettings.OnStoreFailure;
import dev.tollgate.server.testing.RedisKeysCleaner;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The counting rules against the machine's real Redis; each store gets its own key prefix. */
class RedisQuotaStoreTest extends QuotaStoreContract {
    private static final String PREFIX = RedisKeysCleaner.randomPrefix("quota-contract");
    private static final AtomicInteger STORES = new AtomicInteger();

    private String lastPrefix;

    @Override
    protected QuotaStore newStore(ZoneId zone) {
        lastPrefix = PREFIX + STORES.incrementAndGet() + ":";
        return new RedisQuotaStore(RedisKeysCleaner.URI, lastPrefix, OnStoreFailure.FAIL_CLOSED,
                OnStoreFailure.FAIL_CLOSED, zone, RedisQuotaStore.DEFAULT_TIMEOUT);
    }

    @AfterAll
    static void deleteKeys() {
        assertThat(RedisKeysCleaner.deleteAll(PREFIX)).as("keys the tests left").isPositive();
    }

    @Test
    void everyKeyOfAPeriodicBudgetExpires() {
        QuotaStore store = store();
        QuotaCheck check = new QuotaCheck("key:ttl", new Limits(5, 100, 2),
                new Budget(usd("1"), Period.DAILY, List.of()), Period.DAILY.window(at(0), ZONE));
        granted(store, demand(at(0), 10, usd("0.1"), check));
        join(granted(store, demand(at(1), 10, usd("0.1"), check)).reservation().settle(5, usd("0.05"), at(2)));
        assertThat(RedisKeysCleaner.ttlsMillis(lastPrefix)).hasSize(5).allSatisfy((key, ttl) -> {
            assertThat(ttl).as(key).isPositive();
            long bound = key.contains(":minute:") ? 70_000 : key.contains(":spend:") ? Long.MAX_VALUE : 11 * 60_000;
            assertThat(ttl).as(key).isLessThanOrEqualTo(bound);
        });
    }
}
