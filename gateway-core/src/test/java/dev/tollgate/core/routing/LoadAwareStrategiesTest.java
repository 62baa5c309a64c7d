package dev.tollgate.core.routing;

import static dev.tollgate.core.routing.Fixtures.NO_PRICES;
import static dev.tollgate.core.routing.Fixtures.d;
import static dev.tollgate.core.routing.Fixtures.first;
import static dev.tollgate.core.routing.Fixtures.group;
import static dev.tollgate.core.routing.Fixtures.models;
import static dev.tollgate.core.routing.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.pricing.PriceBook;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The strategies that order by what they know of each deployment: latency, load, price, quota headroom. */
class LoadAwareStrategiesTest {
    private static final int DRAWS = 20_000;
    private final SplittableRandom random = new SplittableRandom(42);

    private static DeploymentLoad latency(long millis) {
        return new DeploymentLoad(millis * 1_000_000, 0, 1, -1);
    }

    private static DeploymentLoad busy(int inFlight, double serverLoad) {
        return new DeploymentLoad(-1, inFlight, 1, serverLoad);
    }

    private Map<String, Double> firstShares(ModelGroup group, HealthView health, PriceBook prices) {
        var models = models(group);
        var router = Fixtures.router();
        Map<String, Double> shares = new HashMap<>();
        for (int i = 0; i < DRAWS; i++) {
            shares.merge(first(router, models, request(group.name()), health, prices, random), 1.0 / DRAWS,
                    Double::sum);
        }
        return shares;
    }

    private List<String> order(ModelGroup group, HealthView health, PriceBook prices) {
        var plan = Fixtures.router().plan(models(group), RoutingTable.DEFAULT, request(group.name()), health, prices,
                random);
        var ids = new java.util.ArrayList<String>();
        RetryDecision decision = plan.first();
        while (decision instanceof RetryDecision.TryNext next) {
            ids.add(next.candidate().deployment().id());
            decision = plan.unavailable(Duration.ofSeconds(1));
        }
        return ids;
    }

    @Nested
    class LowestLatency {
        private final ModelGroup group = group("m", Strategy.LOWEST_LATENCY, d("slow", 1), d("fast", 1),
                d("mid", 1));
        private final Fixtures.Health health = new Fixtures.Health().load("slow", latency(900))
                .load("fast", latency(100)).load("mid", latency(300));

        @Test
        void theFastestGoesFirstSaveForProbes() {
            Map<String, Double> shares = firstShares(group, health, NO_PRICES);
            assertThat(shares.get("fast")).isCloseTo(0.95, within(0.006));
            // A probe picks uniformly among the others: 2.5% each.
            assertThat(shares.get("mid")).isCloseTo(0.025, within(0.004));
            assertThat(shares.get("slow")).isCloseTo(0.025, within(0.004));
        }

        @Test
        void theRestFollowByLatency() {
            var ordered = new BandOrder.LowestLatency(health::load).order(group.deployments(),
                    new SplittableRandom(5));
            assertThat(ordered).extracting(Deployment::id).containsExactly("fast", "mid", "slow");
        }

        @Test
        void anUnmeasuredDeploymentGoesFirstToBeMeasured() {
            health.load("fast", latency(100)).load("mid", DeploymentLoad.UNKNOWN);
            assertThat(firstShares(group, health, NO_PRICES).get("mid")).isCloseTo(0.95, within(0.006));
        }

        @Test
        void aRecoveredDeploymentWinsBackItsTraffic() {
            health.load("slow", latency(50));
            assertThat(firstShares(group, health, NO_PRICES).get("slow")).isCloseTo(0.95, within(0.006));
        }
    }

    @Nested
    class LeastBusy {
        private final ModelGroup group = group("m", Strategy.LEAST_BUSY, d("a", 1), d("b", 1), d("c", 1));

        @Test
        void ordersByTheServersOwnLoadWhenEveryOneReportsIt() {
            var health = new Fixtures.Health().load("a", busy(0, 3.5)).load("b", busy(9, 0.5))
                    .load("c", busy(5, 1.0));
            assertThat(order(group, health, NO_PRICES)).containsExactly("b", "c", "a");
        }

        @Test
        void ordersByRequestsInFlightWhenOneReportsNoLoad() {
            var health = new Fixtures.Health().load("a", busy(0, 3.5)).load("b", busy(9, 0.5))
                    .load("c", busy(5, -1));
            assertThat(order(group, health, NO_PRICES)).containsExactly("a", "c", "b");
        }

        @Test
        void tiesGoByWeight() {
            var weighted = group("m", Strategy.LEAST_BUSY, d("a", 3), d("b", 1), d("idle", 1));
            var health = new Fixtures.Health().load("a", busy(2, -1)).load("b", busy(2, -1))
                    .load("idle", busy(1, -1));
            Map<String, Double> shares = new HashMap<>();
            for (int i = 0; i < 8_000; i++) {
                List<String> ids = order(weighted, health, NO_PRICES);
                assertThat(ids.getFirst()).isEqualTo("idle");
                shares.merge(ids.get(1), 1 / 8_000.0, Double::sum);
            }
            assertThat(shares.get("a")).isCloseTo(0.75, within(0.02));
        }
    }

    @Nested
    class LowestCost {
        private final PriceBook prices = PriceBook.builtIn().withOverrides(Map.of(
                "dear", Price.simple(Money.ofUsd("1"), Money.ofUsd("4")),
                "cheap-in", Price.simple(Money.ofUsd("0.1"), Money.ofUsd("6")),
                "cheap", Price.simple(Money.ofUsd("0.5"), Money.ofUsd("1"))));

        @Test
        void ordersByInputPlusOutputPriceWithUnpricedLast() {
            var group = group("m", Strategy.LOWEST_COST, d("unpriced-model-x", 1), d("dear", 1),
                    d("cheap-in", 1), d("cheap", 1));
            assertThat(prices.find(d("unpriced-model-x", 1))).isNull();
            for (int i = 0; i < 20; i++) {
                assertThat(order(group, HealthView.ALL_AVAILABLE, prices))
                        .containsExactly("cheap", "dear", "cheap-in", "unpriced-model-x");
            }
        }

        @Test
        void theCheapestUnavailableLeavesItToTheNext() {
            var group = group("m", Strategy.LOWEST_COST, d("dear", 1), d("cheap", 1));
            var health = new Fixtures.Health().down("cheap", Duration.ofSeconds(2));
            assertThat(firstShares(group, health, prices)).containsOnlyKeys("dear");
        }
    }

    @Nested
    class QuotaHeadroom {
        @Test
        void aDeploymentShortOfQuotaGoesAfterTheOthersOfItsBand() {
            var group = group("m", Strategy.LOWEST_LATENCY, d("fast", 1), d("slow", 1), d("backup", 1, 1));
            var health = new Fixtures.Health()
                    .load("fast", new DeploymentLoad(1_000_000, 0, 0.01, -1))
                    .load("slow", new DeploymentLoad(90_000_000, 0, 0.5, -1))
                    .load("backup", new DeploymentLoad(1, 0, 1, -1));
            // The probe may put slow or fast first; never is the nearly exhausted one ahead of a healthy one.
            for (int i = 0; i < 200; i++) {
                assertThat(order(group, health, NO_PRICES)).containsExactly("slow", "fast", "backup");
            }
        }

        @Test
        void theThresholdIsFivePercent() {
            var group = group("m", Strategy.WEIGHTED, d("a", 1000), d("b", 1));
            var health = new Fixtures.Health().load("a", new DeploymentLoad(-1, 0, 0.05, -1));
            assertThat(firstShares(group, health, NO_PRICES).get("a")).isGreaterThan(0.99);
            health.load("a", new DeploymentLoad(-1, 0, 0.049, -1));
            assertThat(firstShares(group, health, NO_PRICES)).containsOnlyKeys("b");
        }
    }
}
