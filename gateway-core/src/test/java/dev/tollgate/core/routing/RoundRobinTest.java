package dev.tollgate.core.routing;

import static dev.tollgate.core.routing.Fixtures.NO_PRICES;
import static dev.tollgate.core.routing.Fixtures.d;
import static dev.tollgate.core.routing.Fixtures.first;
import static dev.tollgate.core.routing.Fixtures.group;
import static dev.tollgate.core.routing.Fixtures.models;
import static dev.tollgate.core.routing.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
    private final SplittableRandom random = new SplittableRandom(1);

    @Test
    void followsTheWeightExpandedCycleExactly() {
        var models = models(group("m", Strategy.ROUND_ROBIN, d("a", 2), d("b", 1), d("c", 1)));
        var router = Fixtures.router();
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            picks.add(first(router, models, request("m"), HealthView.ALL_AVAILABLE, NO_PRICES, random));
        }
        assertThat(picks).containsExactly("a", "a", "b", "c", "a", "a", "b", "c", "a", "a", "b", "c");
    }

    @Test
    void theRestFollowInCycleOrderAfterTheTurnsOwner() {
        var group = group("m", Strategy.ROUND_ROBIN, d("a", 1), d("b", 1), d("c", 1));
        assertThat(new BandOrder.RoundRobin(4).order(group.deployments(), random)).extracting(Deployment::id)
                .containsExactly("b", "c", "a");
    }

    @Test
    void anUnavailableDeploymentsTurnGoesToTheNextInTheCycle() {
        var models = models(group("m", Strategy.ROUND_ROBIN, d("a", 1), d("b", 1), d("c", 1)));
        var health = new Fixtures.Health().down("b", Duration.ofSeconds(1));
        var router = Fixtures.router();
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(first(router, models, request("m"), health, NO_PRICES, random));
        }
        assertThat(picks).containsExactly("a", "c", "c", "a", "c", "c");
    }

    @Test
    void eachGroupKeepsItsOwnTurn() {
        var models = models(group("m", Strategy.ROUND_ROBIN, d("a", 1), d("b", 1)),
                group("n", Strategy.ROUND_ROBIN, d("x", 1), d("y", 1)));
        var router = Fixtures.router();
        assertThat(first(router, models, request("m"), HealthView.ALL_AVAILABLE, NO_PRICES, random)).isEqualTo("a");
        assertThat(first(router, models, request("n"), HealthView.ALL_AVAILABLE, NO_PRICES, random)).isEqualTo("x");
        assertThat(first(router, models, request("m"), HealthView.ALL_AVAILABLE, NO_PRICES, random)).isEqualTo("b");
    }

    @Test
    void concurrentRequestsShareTheCycleWithoutLosingTurns() throws InterruptedException {
        var models = models(group("m", Strategy.ROUND_ROBIN, d("a", 3), d("b", 1)));
        var router = Fixtures.router();
        var counts = new ConcurrentHashMap<String, AtomicInteger>();
        int threads = 8;
        int each = 2_000;
        var start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            var threadRandom = new SplittableRandom(t);
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < each; i++) {
                    String id = first(router, models, request("m"), HealthView.ALL_AVAILABLE, NO_PRICES,
                            threadRandom);
                    counts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        // 16 000 turns over a cycle of 4: exactly three quarters to a, whatever the interleaving.
        assertThat(counts.get("a").get()).isEqualTo(12_000);
        assertThat(counts.get("b").get()).isEqualTo(4_000);
    }
}
