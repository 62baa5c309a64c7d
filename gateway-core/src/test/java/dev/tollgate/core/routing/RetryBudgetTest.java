package dev.tollgate.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    private static int retriesGranted(RetryBudget budget, double ratio, int floor, long now, int asked) {
        int granted = 0;
        for (int i = 0; i < asked; i++) {
            if (budget.tryRetry(ratio, floor, now)) {
                granted++;
            }
        }
        return granted;
    }

    @Test
    void firstAttemptsEarnTheirRatioOfRetries() {
        var budget = new RetryBudget();
        for (int i = 0; i < 100; i++) {
            budget.firstAttempt(5 * SECOND + i);
        }
        assertThat(retriesGranted(budget, 0.2, 0, 5 * SECOND + 200, 50)).isEqualTo(20);
    }

    @Test
    void theFloorAllowsRetriesPerSecondOfTheWindowWithoutTraffic() {
        var budget = new RetryBudget();
        assertThat(retriesGranted(budget, 0.2, 3, 0, 100)).isEqualTo(30);
    }

    @Test
    void earningsAndSpendingLapseAfterTenSeconds() {
        var budget = new RetryBudget();
        for (int i = 0; i < 50; i++) {
            budget.firstAttempt(0);
        }
        assertThat(retriesGranted(budget, 0.1, 0, 9 * SECOND, 10)).isEqualTo(5);
        // At 10 s second 0's 50 attempts have lapsed; second 9's 5 retries are still in the window.
        assertThat(retriesGranted(budget, 0.1, 0, 10 * SECOND, 10)).isZero();
        for (int i = 0; i < 100; i++) {
            budget.firstAttempt(10 * SECOND);
        }
        // 100 firsts earn 10, of which second 9's 5 retries are still spent.
        assertThat(retriesGranted(budget, 0.1, 0, 10 * SECOND, 10)).isEqualTo(5);
        // At 19 s second 9 has lapsed: its spending is forgotten, second 10's earnings and spending remain.
        assertThat(retriesGranted(budget, 0.1, 0, 19 * SECOND, 10)).isEqualTo(5);
        assertThat(retriesGranted(budget, 0.1, 0, 20 * SECOND, 10)).isZero();
    }

    @Test
    void aFractionalAllowanceIsNeverExceeded() {
        var budget = new RetryBudget();
        for (int i = 0; i < 6; i++) {
            budget.firstAttempt(0);
        }
        assertThat(retriesGranted(budget, 0.2, 0, 0, 5)).isEqualTo(1);
    }

    @Test
    void timeBeforeTheOriginWorksLikeAnyOther() {
        var budget = new RetryBudget();
        for (int i = 0; i < 10; i++) {
            budget.firstAttempt(-SECOND / 2);
        }
        assertThat(retriesGranted(budget, 0.5, 0, SECOND / 2, 10)).isEqualTo(5);
    }

    @Test
    void concurrentCallersNeverTakeMoreThanTheAllowance() throws InterruptedException {
        var budget = new RetryBudget();
        int threads = 8;
        var granted = new AtomicInteger();
        var start = new CountDownLatch(1);
        var firstsDone = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 1_000; i++) {
                        budget.firstAttempt(3 * SECOND + i);
                    }
                    firstsDone.countDown();
                    firstsDone.await();
                    for (int i = 0; i < 1_000; i++) {
                        if (budget.tryRetry(0.25, 10, 3 * SECOND + 5_000)) {
                            granted.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        // 8 000 firsts counted without a lost update earn 2 000, plus the floor's 100: exactly that many.
        assertThat(granted.get()).isEqualTo(2_100);
    }

    @Test
    void concurrentInterleavingsStayWithinTheAllowanceAsTimeMoves() throws InterruptedException {
        var budget = new RetryBudget();
        var clock = new java.util.concurrent.atomic.AtomicLong();
        int threads = 6;
        var firsts = new AtomicInteger();
        var granted = new AtomicInteger();
        var start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            workers.add(Thread.ofPlatform().start(() -> {
                var random = new java.util.SplittableRandom(seed);
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < 20_000; i++) {
                    // Four seconds in all, so nothing lapses and the totals bound the window.
                    long now = clock.updateAndGet(c -> Math.min(c + random.nextInt(400), 4 * SECOND - 1));
                    if (random.nextInt(3) == 0) {
                        budget.firstAttempt(now);
                        firsts.incrementAndGet();
                    } else if (budget.tryRetry(0.1, 2, now)) {
                        granted.incrementAndGet();
                    }
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(granted.get()).isLessThanOrEqualTo((int) (0.1 * firsts.get()) + 20).isGreaterThan(20);
    }
}
