package dev.tollgate.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.Resilience;
import dev.tollgate.core.routing.Timeouts;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many threads beginning and ending attempts at once, as the event loops do: the counts stay exact. */
class DeploymentHealthConcurrencyTest {
    private static final Provider P = new Provider("p", "openai", URI.create("http://127.0.0.1:9/v1"), null,
            "authorization", List.of(), Timeouts.DEFAULTS, null, null);
    private static final int THREADS = 8;
    private static final int ROUNDS = 20_000;
    private static final int CAP = 3;

    @Test
    @Timeout(30)
    void inFlightIsExactAndTheCapHoldsUnderContention() throws Exception {
        var health = new DeploymentHealth(new RecordingMetrics());
        var deployment = new Deployment("m/p/a", P, "a", 1, Limits.NONE);
        // A breaker that never opens, so every refusal is the bulkhead's.
        var settings = new Resilience(Resilience.Retries.DEFAULTS,
                new Resilience.Breaker(100, 100, Duration.ofMinutes(1), 100, 100, Duration.ofSeconds(1), 1), CAP,
                Resilience.ClientControls.DEFAULTS);
        var holding = new AtomicInteger();
        var mostHeld = new AtomicInteger();
        var start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> admitted = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                admitted.add(pool.submit(() -> {
                    var random = new SplittableRandom(seed);
                    start.await();
                    int mine = 0;
                    for (int i = 0; i < ROUNDS; i++) {
                        var attempt = health.begin(deployment, settings);
                        if (attempt == null) {
                            continue;
                        }
                        mine++;
                        mostHeld.accumulateAndGet(holding.incrementAndGet(), Math::max);
                        attempt.head(200, EmptyHttpHeaders.INSTANCE);
                        holding.decrementAndGet();
                        GatewayError failure = random.nextInt(4) == 0
                                ? GatewayError.of(ErrorKind.CLIENT_CANCELLED, "gone") : null;
                        attempt.end(failure);
                        if (random.nextBoolean()) {
                            attempt.end(null); // a second end from a racing path changes nothing
                        }
                    }
                    return mine;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : admitted) {
                total += f.get(25, TimeUnit.SECONDS);
            }
            assertThat(total).isPositive();
        } finally {
            pool.shutdownNow();
        }
        assertThat(mostHeld.get()).isLessThanOrEqualTo(CAP);
        assertThat(health.load(deployment).inFlight()).isZero();
        assertThat(health.unavailableFor(deployment)).isZero();
        List<DeploymentHealth.Attempt> all = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            all.add(health.begin(deployment, settings));
        }
        assertThat(all).doesNotContainNull();
        assertThat(health.begin(deployment, settings)).as("exactly the cap is free again").isNull();
        assertThat(health.load(deployment).inFlight()).isEqualTo(CAP);
    }
}
