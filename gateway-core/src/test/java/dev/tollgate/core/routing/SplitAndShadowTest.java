package dev.tollgate.core.routing;

import static dev.tollgate.core.routing.Fixtures.NO_PRICES;
import static dev.tollgate.core.routing.Fixtures.d;
import static dev.tollgate.core.routing.Fixtures.models;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tollgate.core.spi.Operation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SplitAndShadowTest {
    /** Never drawn from where a caller is known: assignment is then a hash. */
    private static final SplittableRandom RANDOM = new SplittableRandom(3);
    private final Router router = Fixtures.router();
    private final Map<String, ModelGroup> models = models(
            Fixtures.group("stable", Strategy.WEIGHTED, d("stable/d", 1)),
            Fixtures.group("canary", Strategy.WEIGHTED, d("canary/d", 1)),
            Fixtures.group("mirror", Strategy.WEIGHTED, d("mirror/d", 1)));
    private final Split split = new Split("exp-1", "chat", Split.Sticky.USER,
            List.of(new Split.Variant("stable", 9), new Split.Variant("canary", 1)));
    private final RoutingTable table = new RoutingTable(Map.of(), AutoTier.OFF, Map.of("chat", split),
            Map.of("stable", new Shadow("stable", "mirror", 0.1)), Resilience.DEFAULTS);

    private RoutePlan plan(String key, String user, SplittableRandom random) {
        var features = new Fixtures.Features();
        features.key = key;
        var request = new RouteRequest("chat", null, Operation.CHAT, features, m -> true, user,
                RequestOptions.DEFAULTS);
        return router.plan(models, table, request, HealthView.ALL_AVAILABLE, NO_PRICES, random);
    }

    @Test
    void theSameCallerAlwaysGetsTheSameVariant() {
        for (int k = 0; k < 200; k++) {
            String variant = plan("key-" + k, null, new SplittableRandom(k)).variant();
            for (int again = 0; again < 5; again++) {
                assertThat(plan("key-" + k, null, new SplittableRandom(again * 31L + 7)).variant()).isEqualTo(variant);
            }
        }
    }

    @Test
    void theVariantNamesTheSplitAndRoutesToItsGroup() {
        RoutePlan plan = plan("key-1", null, new SplittableRandom(1));
        assertThat(plan.variant()).isIn("exp-1/stable", "exp-1/canary");
        assertThat(plan.model()).isEqualTo(plan.variant().substring("exp-1/".length()));
        var first = (RetryDecision.TryNext) plan.first();
        assertThat(first.candidate().group().name()).isEqualTo(plan.model());
    }

    @Test
    void manyCallersSplitCloseToTheWeights() {
        Map<String, Integer> counts = new HashMap<>();
        int callers = 20_000;
        for (int k = 0; k < callers; k++) {
            counts.merge(plan("key", "user-" + k, new SplittableRandom(1)).model(), 1, Integer::sum);
        }
        assertThat(counts.get("canary") / (double) callers).isCloseTo(0.1, within(0.008));
    }

    @Test
    void stickyByUserFallsBackToTheKeyAndStickyByKeyIgnoresTheUser() {
        var byKey = new Split("exp-1", "chat", Split.Sticky.KEY, split.variants());
        for (int k = 0; k < 100; k++) {
            var features = new Fixtures.Features();
            features.key = "key-" + k;
            var noUser = new RouteRequest("chat", null, Operation.CHAT, features, m -> true, null,
                    RequestOptions.DEFAULTS);
            var withUser = new RouteRequest("chat", null, Operation.CHAT, features, m -> true, "someone-" + k,
                    RequestOptions.DEFAULTS);
            assertThat(Router.assign(split, noUser, RANDOM)).isEqualTo(Router.assign(byKey, noUser, RANDOM));
            assertThat(Router.assign(byKey, withUser, RANDOM)).isEqualTo(Router.assign(byKey, noUser, RANDOM));
        }
    }

    @Test
    void withNobodyToStickToEachRequestIsDrawnByWeight() {
        var anonymous = new Fixtures.Features();
        anonymous.key = null;
        var request = new RouteRequest("chat", null, Operation.CHAT, anonymous, m -> true, null,
                RequestOptions.DEFAULTS);
        var random = new SplittableRandom(11);
        int canary = 0;
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            if (Router.assign(split, request, random).model().equals("canary")) {
                canary++;
            }
        }
        assertThat(canary / (double) draws).isCloseTo(0.1, within(0.01));
    }

    @Test
    void theHashIsPinnedSoAssignmentsSurviveRestartsAndReleases() {
        // FNV-1a 64 of the empty string is its offset basis; the finaliser then mixes it.
        assertThat(StickyDraw.stableHash("")).isEqualTo(fmix(0xcbf29ce484222325L));
        assertThat(StickyDraw.stableHash("a")).isEqualTo(fmix(0xaf63dc4c8601ec8cL));
        assertThat(StickyDraw.stableHash("exp-1\0key-1")).isNotEqualTo(StickyDraw.stableHash("exp-1\0key-2"));
    }

    private static long fmix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Test
    void aVariantOfZeroWeightGetsNoOne() {
        var dark = new Split("exp-2", "chat", Split.Sticky.KEY,
                List.of(new Split.Variant("canary", 0), new Split.Variant("stable", 1)));
        for (int k = 0; k < 500; k++) {
            var features = new Fixtures.Features();
            features.key = "key-" + k;
            var request = new RouteRequest("chat", null, Operation.CHAT, features, m -> true, null,
                    RequestOptions.DEFAULTS);
            assertThat(Router.assign(dark, request, RANDOM).model()).isEqualTo("stable");
        }
    }

    @Test
    void aShareOfRequestsIsShadowed() {
        var random = new SplittableRandom(5);
        int draws = 50_000;
        int shadowed = 0;
        for (int i = 0; i < draws; i++) {
            Candidate target = shadow(table, "stable", random);
            if (target != null) {
                assertThat(target.group().name()).isEqualTo("mirror");
                shadowed++;
            }
        }
        assertThat(shadowed / (double) draws).isCloseTo(0.1, within(0.005));
    }

    @Test
    void noShadowWithoutOneConfiguredAndAlwaysAtFractionOne() {
        var random = new SplittableRandom(5);
        assertThat(shadow(table, "canary", random)).isNull();
        var always = new RoutingTable(Map.of(), AutoTier.OFF, Map.of(),
                Map.of("canary", new Shadow("canary", "mirror", 1)), Resilience.DEFAULTS);
        for (int i = 0; i < 100; i++) {
            assertThat(shadow(always, "canary", random).group()).isSameAs(models.get("mirror"));
        }
    }

    private Candidate shadow(RoutingTable t, String model, SplittableRandom random) {
        return router.shadow(models, t, model, new Fixtures.Features(), HealthView.ALL_AVAILABLE, NO_PRICES, random);
    }
}
