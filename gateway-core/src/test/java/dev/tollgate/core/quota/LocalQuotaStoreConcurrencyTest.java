package dev.tollgate.core.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.pricing.Money;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Several threads admitting and settling on shared scopes at once, the way event loops do. */
class LocalQuotaStoreConcurrencyTest {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final Instant START = Instant.parse("2030-01-07T09:00:00Z");
    private static final int THREADS = 4;
    private static final int ROUNDS = 20_000;
    /**
     * Far longer than a thread can be descheduled between its admit and its settle (30,000 operations of the shared
     * clock): a lease that expires under a live request would let a late settlement overspend, as the contract
     * allows for a replica that outlived its lease.
     */
    private static final Duration TTL = Duration.ofSeconds(60);

    @Test
    void sharedScopesKeepEveryInvariantUnderContention() throws Exception {
        LocalQuotaStore store = new LocalQuotaStore(ZONE);
        Budget keyBudget = new Budget(Money.ofUsd("20"), Period.DAILY, List.of(0.5, 0.9));
        Budget teamBudget = new Budget(Money.ofUsd("30"), Period.DAILY, List.of());
        Limits keyLimits = new Limits(900, 0, 128);
        Limits teamLimits = new Limits(1200, 0, 0);
        // The shared clock advances 2 ms per operation: 80,000 operations span about 160 seconds.
        AtomicLong clock = new AtomicLong(START.toEpochMilli());
        Map<String, ConcurrentLinkedQueue<Instant>> grants = new ConcurrentHashMap<>();
        AtomicLong charged = new AtomicLong();
        ConcurrentLinkedQueue<BudgetCrossing> crossings = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < THREADS; t++) {
            int seed = t;
            Thread thread = Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                try {
                    start.await();
                    for (int i = 0; i < ROUNDS; i++) {
                        Instant now = Instant.ofEpochMilli(clock.addAndGet(2));
                        String user = "user:k:" + random.nextInt(50);
                        List<QuotaCheck> checks = List.of(
                                new QuotaCheck("key:k", keyLimits, keyBudget, Period.DAILY.window(now, ZONE)),
                                new QuotaCheck("team:t", teamLimits, teamBudget, Period.DAILY.window(now, ZONE)),
                                new QuotaCheck(user, new Limits(30, 0, 4), null, null));
                        Money cost = new Money(random.nextLong(1, 100_000_000));
                        Demand demand = new Demand(seed + "-" + i, checks, 10, cost, now, TTL);
                        if (store.admitNow(demand) instanceof Admission.Granted granted) {
                            for (QuotaCheck check : checks) {
                                grants.computeIfAbsent(check.scope(), s -> new ConcurrentLinkedQueue<>()).add(now);
                            }
                            // One request in ten is abandoned, as by a replica that died: its lease expires.
                            if (random.nextInt(10) != 0) {
                                Money actual = new Money(random.nextLong(0, cost.nanos() + 1));
                                Instant end = Instant.ofEpochMilli(clock.addAndGet(2));
                                crossings.addAll(granted.reservation().settle(5, actual, end)
                                        .toCompletableFuture().join());
                                charged.addAndGet(actual.nanos());
                            }
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(errors).isEmpty();

        Instant end = Instant.ofEpochMilli(clock.get()).plus(TTL);
        QuotaCheck key = new QuotaCheck("key:k", keyLimits, keyBudget, Period.DAILY.window(end, ZONE));
        QuotaCheck team = new QuotaCheck("team:t", teamLimits, teamBudget, Period.DAILY.window(end, ZONE));
        ScopeUsage keyUsage = store.usage(key, end).toCompletableFuture().join();
        ScopeUsage teamUsage = store.usage(team, end).toCompletableFuture().join();
        assertThat(keyUsage.spent().nanos()).isEqualTo(charged.get()).isLessThanOrEqualTo(keyBudget.limit().nanos());
        assertThat(teamUsage.spent().nanos()).isEqualTo(charged.get());
        assertThat(keyUsage.reserved()).isEqualTo(Money.ZERO);
        assertThat(keyUsage.concurrent()).isZero();
        assertThat(teamUsage.reserved()).isEqualTo(Money.ZERO);
        // Demand far exceeds $20, so spend ends close to it: both thresholds crossed, each exactly once.
        assertThat(crossings).extracting(BudgetCrossing::threshold).containsExactlyInAnyOrder(0.5, 0.9);

        for (Map.Entry<String, ConcurrentLinkedQueue<Instant>> entry : grants.entrySet()) {
            long rpm = entry.getKey().equals("key:k") ? keyLimits.rpm()
                    : entry.getKey().equals("team:t") ? teamLimits.rpm() : 30;
            List<Instant> times = entry.getValue().stream().sorted().toList();
            for (int i = 0; i < times.size(); i++) {
                Instant minuteEnd = times.get(i).plusSeconds(60);
                long inMinute = 0;
                for (int j = i; j < times.size() && times.get(j).isBefore(minuteEnd); j++) {
                    inMinute++;
                }
                assertThat(inMinute).as("grants of %s", entry.getKey()).isLessThanOrEqualTo(rpm);
            }
        }
        assertThat(grants.get("key:k")).hasSizeGreaterThan(200);
    }
}
