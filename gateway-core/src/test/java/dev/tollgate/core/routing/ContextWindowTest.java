package dev.tollgate.core.routing;

import static dev.tollgate.core.routing.Fixtures.NO_PRICES;
import static dev.tollgate.core.routing.Fixtures.d;
import static dev.tollgate.core.routing.Fixtures.models;
import static dev.tollgate.core.routing.Fixtures.windowed;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ContextWindowTest {
    private final SplittableRandom random = new SplittableRandom(3);

    private List<String> order(Map<String, ModelGroup> models, String model, Fixtures.Features features,
                               RequestOptions options) {
        var request = new RouteRequest(model, null, dev.tollgate.core.spi.Operation.CHAT, features, m -> true, null,
                options);
        RoutePlan plan = Fixtures.router().plan(models, RoutingTable.DEFAULT, request, HealthView.ALL_AVAILABLE,
                NO_PRICES, random);
        var ids = new ArrayList<String>();
        RetryDecision decision = plan.first();
        while (decision instanceof RetryDecision.TryNext next) {
            ids.add(next.candidate().deployment().id());
            decision = plan.unavailable(Duration.ofSeconds(1));
        }
        return ids;
    }

    private static Fixtures.Features prompt(long tokens) {
        var features = new Fixtures.Features();
        features.promptTokens = tokens;
        return features;
    }

    @Test
    void aDeploymentThePromptDoesNotFitGoesLast() {
        var models = models(Fixtures.group("a", Fallbacks.NONE, windowed("small", 8_000), windowed("large", 128_000),
                d("unknown", 1)));
        for (int i = 0; i < 10; i++) {
            List<String> order = order(models, "a", prompt(8_000), RequestOptions.DEFAULTS);
            assertThat(order.subList(0, 2)).containsExactlyInAnyOrder("large", "unknown");
            assertThat(order.get(2)).isEqualTo("small");
        }
        // Under the window it competes as usual.
        assertThat(order(models, "a", prompt(7_999), RequestOptions.DEFAULTS).get(0)).isNotNull();
        long smallFirst = java.util.stream.IntStream.range(0, 300)
                .filter(i -> order(models, "a", prompt(7_999), RequestOptions.DEFAULTS).getFirst().equals("small"))
                .count();
        assertThat(smallFirst).isBetween(60L, 140L);
    }

    @Test
    void withNoFitInTheGroupTheContextFallbacksComeBeforeUsingItAnyway() {
        var models = models(
                Fixtures.group("a", new Fallbacks(List.of("err"), List.of("long"), List.of()), windowed("a/d", 8_000)),
                Fixtures.group("long", Fallbacks.NONE, windowed("long/d", 200_000)),
                Fixtures.group("err", Fallbacks.NONE, d("err/d", 1)));
        assertThat(order(models, "a", prompt(50_000), RequestOptions.DEFAULTS))
                .containsExactly("long/d", "a/d", "err/d");
        // Too long even for the fallback: every deployment is still tried, the fitting ones first.
        assertThat(order(models, "a", prompt(500_000), RequestOptions.DEFAULTS))
                .containsExactly("a/d", "long/d", "err/d");
        assertThat(order(models, "a", prompt(50_000), new RequestOptions(null, -1, false))).containsExactly("a/d");
    }

    @Test
    void thePromptIsEstimatedOnlyWhenAWindowIsKnown() {
        var features = prompt(100);
        order(models(Fixtures.group("a", Fallbacks.NONE, d("x", 1), d("y", 1))), "a", features,
                RequestOptions.DEFAULTS);
        assertThat(features.promptEstimates).isZero();
        order(models(Fixtures.group("a", Fallbacks.NONE, d("x", 1), windowed("y", 1000))), "a", features,
                RequestOptions.DEFAULTS);
        assertThat(features.promptEstimates).isEqualTo(1);
    }
}
