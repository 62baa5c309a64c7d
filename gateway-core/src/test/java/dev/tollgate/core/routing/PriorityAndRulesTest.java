package dev.tollgate.core.routing;

import static dev.tollgate.core.routing.Fixtures.NO_PRICES;
import static dev.tollgate.core.routing.Fixtures.d;
import static dev.tollgate.core.routing.Fixtures.models;
import static dev.tollgate.core.routing.Fixtures.request;
import static dev.tollgate.core.routing.Fixtures.tagged;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.spi.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PriorityAndRulesTest {
    private final SplittableRandom random = new SplittableRandom(9);

    private List<String> order(ModelGroup group, Fixtures.Features features, HealthView health) {
        var plan = Fixtures.router().plan(models(group), RoutingTable.DEFAULT, request(group.name(), features),
                health, NO_PRICES, random);
        var ids = new ArrayList<String>();
        RetryDecision decision = plan.first();
        while (decision instanceof RetryDecision.TryNext next) {
            ids.add(next.candidate().deployment().id());
            decision = plan.unavailable(Duration.ofSeconds(1));
        }
        return ids;
    }

    private static ModelGroup group(List<RouteRule> rules, Deployment... deployments) {
        return new ModelGroup("m", Operation.CHAT, List.of(deployments),
                new GroupPolicy(Strategy.ROUND_ROBIN, rules, Fallbacks.NONE));
    }

    @Test
    void lowerPriorityBandsGoFirstWhateverTheWeights() {
        var group = group(List.of(), d("backup", 100, 2), d("main-1", 1, 0), d("spare", 100, 1), d("main-2", 1, 0));
        for (int i = 0; i < 10; i++) {
            List<String> order = order(group, new Fixtures.Features(), HealthView.ALL_AVAILABLE);
            assertThat(order.subList(0, 2)).containsExactlyInAnyOrder("main-1", "main-2");
            assertThat(order.subList(2, 4)).containsExactly("spare", "backup");
        }
    }

    @Test
    void anUnavailableBandHandsOverToTheNext() {
        var group = group(List.of(), d("main", 1, 0), d("spare", 1, 1));
        var health = new Fixtures.Health().down("main", Duration.ofSeconds(5));
        assertThat(order(group, new Fixtures.Features(), health)).containsExactly("spare");
    }

    @Test
    void theFirstMatchingRulesDeploymentsGoFirstThenTheRest() {
        var rules = List.of(
                new RouteRule("tools-in-eu", new Condition.HasTools(true), Map.of("region", "eu")),
                new RouteRule("everyone-us", new Condition.All(List.of()), Map.of("region", "us")));
        var group = group(rules, tagged("us-1", Map.of("region", "us")), tagged("eu-1", Map.of("region", "eu")),
                tagged("eu-2", Map.of("region", "eu")), tagged("us-2", Map.of("region", "us")));
        var tools = new Fixtures.Features();
        tools.tools = true;
        for (int i = 0; i < 6; i++) {
            List<String> withTools = order(group, tools, HealthView.ALL_AVAILABLE);
            assertThat(withTools.subList(0, 2)).containsExactlyInAnyOrder("eu-1", "eu-2");
            assertThat(withTools.subList(2, 4)).containsExactlyInAnyOrder("us-1", "us-2");
            List<String> without = order(group, new Fixtures.Features(), HealthView.ALL_AVAILABLE);
            assertThat(without.subList(0, 2)).containsExactlyInAnyOrder("us-1", "us-2");
        }
    }

    @Test
    void aRuleCanSelectByTheImplicitProviderTag() {
        var rules = List.of(new RouteRule("by-provider", new Condition.All(List.of()), Map.of("provider", "p")));
        var other = new Provider("q", "openai", Fixtures.P.baseUrl(), null, "authorization", List.of(),
                Timeouts.DEFAULTS, null, null);
        var group = group(rules, new Deployment("on-q", other, "x", 1, dev.tollgate.core.quota.Limits.NONE),
                d("on-p", 1));
        assertThat(order(group, new Fixtures.Features(), HealthView.ALL_AVAILABLE)).containsExactly("on-p", "on-q");
    }

    @Test
    void withinTheRulesSubsetPrioritiesStillHold() {
        var rules = List.of(new RouteRule("eu", new Condition.All(List.of()), Map.of("region", "eu")));
        var group = group(rules,
                new Deployment("eu-spare", Fixtures.P, "x", 1, dev.tollgate.core.quota.Limits.NONE, 1, 0,
                        Map.of("region", "eu"), null),
                d("us-main", 1, 0),
                new Deployment("eu-main", Fixtures.P, "x", 1, dev.tollgate.core.quota.Limits.NONE, 0, 0,
                        Map.of("region", "eu"), null));
        assertThat(order(group, new Fixtures.Features(), HealthView.ALL_AVAILABLE))
                .containsExactly("eu-main", "eu-spare", "us-main");
    }

    @Test
    void whenTheRulesSubsetIsDownTheRestTakeTheRequest() {
        var rules = List.of(new RouteRule("eu", new Condition.All(List.of()), Map.of("region", "eu")));
        var group = group(rules, tagged("eu-1", Map.of("region", "eu")), tagged("us-1", Map.of("region", "us")));
        var health = new Fixtures.Health().down("eu-1", Duration.ofSeconds(1));
        assertThat(order(group, new Fixtures.Features(), health)).containsExactly("us-1");
    }
}
