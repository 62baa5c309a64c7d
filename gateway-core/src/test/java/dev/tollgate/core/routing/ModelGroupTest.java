package dev.tollgate.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.spi.Operation;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelGroupTest {
    private static final Provider P = new Provider("p", "openai", URI.create("http://127.0.0.1:1/v1"), null,
            "authorization", List.of(), Timeouts.DEFAULTS, null, null);

    private static Deployment d(String id, int weight) {
        return new Deployment(id, P, id, weight, Limits.NONE);
    }

    @Test
    void picksByWeight() {
        var group = new ModelGroup("m", Operation.CHAT, List.of(d("a", 3), d("b", 1)));
        var random = new SplittableRandom(7);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 40_000; i++) {
            counts.merge(group.pick(random).id(), 1, Integer::sum);
        }
        assertThat(counts.get("a") / 40_000.0).isBetween(0.73, 0.77);
        assertThat(counts.get("b") / 40_000.0).isBetween(0.23, 0.27);
    }

    @Test
    void aSingleDeploymentNeedsNoRandomness() {
        var group = new ModelGroup("m", Operation.CHAT, List.of(d("only", 5)));
        assertThat(group.pick(null).id()).isEqualTo("only");
    }

    @Test
    void refusesEmptyGroupsAndZeroWeights() {
        assertThatThrownBy(() -> new ModelGroup("m", Operation.CHAT, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resolvesPathsAgainstTheBaseUrl() {
        assertThat(P.resolve("/chat/completions")).hasToString("http://127.0.0.1:1/v1/chat/completions");
        var slash = new Provider("p", "openai", URI.create("http://h/v1/"), null, "authorization", List.of(), Timeouts.DEFAULTS, null, null);
        assertThat(slash.resolve("/embeddings")).hasToString("http://h/v1/embeddings");
    }
}
