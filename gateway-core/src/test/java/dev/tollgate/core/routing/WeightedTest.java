package dev.tollgate.core.routing;

import static dev.tollgate.core.routing.Fixtures.NO_PRICES;
import static dev.tollgate.core.routing.Fixtures.d;
import static dev.tollgate.core.routing.Fixtures.first;
import static dev.tollgate.core.routing.Fixtures.group;
import static dev.tollgate.core.routing.Fixtures.models;
import static dev.tollgate.core.routing.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tollgate.core.spi.Operation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedTest {
    private static final int DRAWS = 40_000;

    @Test
    void firstPicksAreInProportionToTheWeights() {
        var models = models(group("m", Strategy.WEIGHTED, d("a", 3), d("b", 1)));
        var router = Fixtures.router();
        var random = new SplittableRandom(7);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < DRAWS; i++) {
            counts.merge(first(router, models, request("m"), HealthView.ALL_AVAILABLE, NO_PRICES, random), 1,
                    Integer::sum);
        }
        assertThat(counts.get("a") / (double) DRAWS).isCloseTo(0.75, within(0.015));
        assertThat(counts.get("b") / (double) DRAWS).isCloseTo(0.25, within(0.015));
    }

    @Test
    void laterPlacesAreDrawnByWeightAmongTheRest() {
        var band = List.of(d("a", 1), d("b", 2), d("c", 7));
        var random = new SplittableRandom(11);
        Map<List<String>, Integer> orders = new HashMap<>();
        for (int i = 0; i < DRAWS; i++) {
            List<String> order = BandOrder.Weighted.shuffle(band, random).stream().map(Deployment::id).toList();
            orders.merge(order, 1, Integer::sum);
        }
        // c first (0.7), then b among {a, b} (2/3): 0.4667; a first (0.1), then c (7/9): 0.0778.
        assertThat(orders.get(List.of("c", "b", "a")) / (double) DRAWS).isCloseTo(0.7 * 2 / 3, within(0.015));
        assertThat(orders.get(List.of("a", "c", "b")) / (double) DRAWS).isCloseTo(0.1 * 7 / 9, within(0.01));
        assertThat(orders.keySet()).hasSize(6).allSatisfy(order -> assertThat(order).hasSize(3).doesNotHaveDuplicates());
    }

    @Test
    void anUnavailableDeploymentLeavesItsShareToTheOthersByWeight() {
        var models = models(group("m", Strategy.WEIGHTED, d("a", 1), d("b", 1), d("c", 2)));
        var health = new Fixtures.Health().down("c", java.time.Duration.ofSeconds(3));
        var router = Fixtures.router();
        var random = new SplittableRandom(3);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < DRAWS; i++) {
            counts.merge(first(router, models, request("m"), health, NO_PRICES, random), 1, Integer::sum);
        }
        assertThat(counts).doesNotContainKey("c");
        assertThat(counts.get("a") / (double) DRAWS).isCloseTo(0.5, within(0.015));
    }

    @Test
    void aSingleDeploymentNeedsNoRandomness() {
        assertThat(BandOrder.Weighted.shuffle(List.of(d("only", 5)), null)).extracting(Deployment::id)
                .containsExactly("only");
    }

    @Test
    void refusesEmptyGroupsAndZeroWeights() {
        assertThatThrownBy(() -> new ModelGroup("m", Operation.CHAT, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
