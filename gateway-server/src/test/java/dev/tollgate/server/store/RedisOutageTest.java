package dev.tollgate.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Demand;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.Period;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.quota.QuotaStore;
import dev.tollgate.core.quota.ScopeUsage;
import dev.tollgate.core.runtime.StorageSettings.OnStoreFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redis unreachable (a closed port): each failure policy answers quickly, one way or the other. */
class RedisOutageTest {
    private static final Instant NOW = Instant.parse("2030-01-07T12:00:00Z");
    private static final QuotaCheck LIMITED = new QuotaCheck("key:k", new Limits(2, 0, 0), null, null);
    private static final QuotaCheck BUDGETED = new QuotaCheck("team:t", Limits.NONE,
            new Budget(Money.ofUsd("1"), Period.DAILY, List.of()), Period.DAILY.window(NOW, ZoneOffset.UTC));

    private static String closedPort;

    @BeforeAll
    static void findAClosedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = "redis://127.0.0.1:" + socket.getLocalPort();
        }
    }

    @Test
    void failClosedAnswersUnavailableQuickly() {
        try (QuotaStore store = store(OnStoreFailure.FAIL_CLOSED, OnStoreFailure.FAIL_CLOSED)) {
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                Admission admission = join(store.admit(demand("r" + i, LIMITED)));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
                assertThat(admission).isInstanceOfSatisfying(Admission.Unavailable.class,
                        u -> assertThat(u.retryAfter()).isEqualTo(RedisQuotaStore.UNAVAILABLE_RETRY));
            }
        }
    }

    @Test
    void anOutageIsLoggedOnceNotPerRequest() {
        Logger logger = Logger.getLogger(RedisQuotaStore.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try (QuotaStore store = store(OnStoreFailure.LOCAL, OnStoreFailure.FAIL_CLOSED)) {
            for (int i = 0; i < 10; i++) {
                join(store.admit(demand("r" + i, LIMITED)));
            }
        } finally {
            logger.removeHandler(handler);
        }
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).contains("rate limits are counted in this process only",
                    "budgets refuse requests (503)");
        });
    }

    @Test
    void localFallbackCountsInThisProcess() {
        try (QuotaStore store = store(OnStoreFailure.LOCAL, OnStoreFailure.LOCAL)) {
            Admission first = join(store.admit(demand("a", LIMITED)));
            assertThat(first).isInstanceOf(Admission.Granted.class);
            assertThat(join(store.admit(demand("b", LIMITED)))).isInstanceOf(Admission.Granted.class);
            assertThat(join(store.admit(demand("c", LIMITED)))).isInstanceOf(Admission.Denied.class);
            // The settlement of a local admission stays local: it succeeds although Redis is down.
            assertThat(join(((Admission.Granted) first).reservation().settle(0, Money.ZERO, NOW))).isEmpty();
        }
    }

    @Test
    void budgetsAndLimitsFollowTheirOwnPolicy() {
        try (QuotaStore store = store(OnStoreFailure.LOCAL, OnStoreFailure.FAIL_CLOSED)) {
            assertThat(join(store.admit(demand("limits-only", LIMITED)))).isInstanceOf(Admission.Granted.class);
            assertThat(join(store.admit(demand("with-budget", LIMITED, BUDGETED))))
                    .isInstanceOf(Admission.Unavailable.class);
        }
    }

    @Test
    void seedingStillReachesTheLocalFallback() {
        try (QuotaStore store = store(OnStoreFailure.LOCAL, OnStoreFailure.LOCAL)) {
            CompletionStage<Void> seeded = store.seed("team:t", BUDGETED.window(), Money.ofUsd("0.9"));
            assertThat(seeded.toCompletableFuture()).failsWithin(Duration.ofSeconds(2));
            Demand big = new Demand("big", List.of(BUDGETED), 0, Money.ofUsd("0.2"), NOW, Duration.ofMinutes(1));
            assertThat(join(store.admit(big))).isInstanceOf(Admission.Denied.class);
        }
    }

    @Test
    void usageAndSettlementOfAnUnreachableStoreFail() {
        try (QuotaStore store = store(OnStoreFailure.FAIL_CLOSED, OnStoreFailure.FAIL_CLOSED)) {
            CompletionStage<ScopeUsage> usage = store.usage(LIMITED, NOW);
            assertThat(usage.toCompletableFuture()).failsWithin(Duration.ofSeconds(2));
        }
    }

    private static QuotaStore store(OnStoreFailure limits, OnStoreFailure budgets) {
        return new RedisQuotaStore(closedPort, "unused:", limits, budgets, ZoneOffset.UTC,
                RedisQuotaStore.DEFAULT_TIMEOUT);
    }

    private static Demand demand(String id, QuotaCheck... checks) {
        return new Demand(id, List.of(checks), 0, Money.ofUsd("0.01"), NOW, Duration.ofMinutes(1));
    }

    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}
