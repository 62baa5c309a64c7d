package dev.tollgate.core.routing;

import static dev.tollgate.core.routing.Fixtures.NO_PRICES;
import static dev.tollgate.core.routing.Fixtures.d;
import static dev.tollgate.core.routing.Fixtures.models;
import static dev.tollgate.core.routing.Fixtures.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.spi.Operation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** From the name a client sent to the plan: header tier, tier:, automatic tier, split, group; scopes and 4xx. */
class ResolutionTest {
    private final Router router = Fixtures.router();
    private final SplittableRandom random = new SplittableRandom(1);
    private final Map<String, ModelGroup> models = models(
            Fixtures.group("small", Strategy.WEIGHTED, d("small/d", 1)),
            Fixtures.group("medium", Strategy.WEIGHTED, d("medium/d", 1)),
            Fixtures.group("large", Strategy.WEIGHTED, d("large/d", 1)),
            new ModelGroup("embed", Operation.EMBEDDINGS, List.of(d("embed/d", 1))));
    private final RoutingTable table;

    ResolutionTest() {
        var tiers = new LinkedHashMap<String, Tier>();
        tiers.put("economy", new Tier("economy", List.of("small", "medium")));
        tiers.put("premium", new Tier("premium", List.of("large", "medium")));
        var auto = new AutoTier(List.of("auto"), "economy", List.of(
                new TierRule("long-prompts", new Condition.PromptTokensOver(1000), "premium"),
                new TierRule("tools", new Condition.HasTools(true), "economy")));
        table = new RoutingTable(tiers, auto, Map.of(), Map.of(), Resilience.DEFAULTS);
    }

    private RouteRequest request(String model, String tierHeader, Fixtures.Features features,
                                 Predicate<String> allowed) {
        return new RouteRequest(model, tierHeader, Operation.CHAT, features, allowed, null, RequestOptions.DEFAULTS);
    }

    private RoutePlan plan(RouteRequest request) {
        return router.plan(models, table, request, HealthView.ALL_AVAILABLE, NO_PRICES, random);
    }

    private static String firstGroup(RoutePlan plan) {
        return ((RetryDecision.TryNext) plan.first()).candidate().group().name();
    }

    @Test
    void aModelGroupByName() {
        RoutePlan plan = plan(request("medium", null, new Fixtures.Features(), m -> true));
        assertThat(plan.model()).isEqualTo("medium");
        assertThat(plan.tier()).isNull();
        assertThat(plan.tierRule()).isNull();
        assertThat(plan.variant()).isNull();
        assertThat(firstGroup(plan)).isEqualTo("medium");
    }

    @Test
    void theTierHeaderWinsOverTheModel() {
        RoutePlan plan = plan(request("small", "premium", new Fixtures.Features(), m -> true));
        assertThat(plan.tier()).isEqualTo("premium");
        assertThat(plan.model()).isEqualTo("large");
        assertThat(firstGroup(plan)).isEqualTo("large");
    }

    @Test
    void anUnknownTierHeaderIsABadRequestNamingTheTiers() {
        var error = refusal(() -> plan(request("small", "gold", new Fixtures.Features(), m -> true)));
        assertThat(error.httpStatus()).isEqualTo(400);
        assertThat(error.code()).isEqualTo("tier_not_found");
        assertThat(error.param()).isEqualTo("x-tollgate-tier");
        assertThat(error.message()).contains("'gold'", "economy, premium");
    }

    @Test
    void aTierByModelName() {
        RoutePlan plan = plan(request("tier:economy", null, new Fixtures.Features(), m -> true));
        assertThat(plan.tier()).isEqualTo("economy");
        assertThat(plan.model()).isEqualTo("small");
    }

    @Test
    void anUnknownTierByModelNameIsNotFound() {
        var error = refusal(() -> plan(request("tier:gold", null, new Fixtures.Features(), m -> true)));
        assertThat(error.httpStatus()).isEqualTo(404);
        assertThat(error.code()).isEqualTo("model_not_found");
        assertThat(error.message()).isEqualTo("The model 'tier:gold' does not exist or you do not have access to it.");
    }

    @Test
    void theAutoAliasTakesTheFirstMatchingRuleElseTheDefault() {
        var longPrompt = new Fixtures.Features();
        longPrompt.promptTokens = 5000;
        longPrompt.tools = true;
        RoutePlan premium = plan(request("auto", null, longPrompt, m -> true));
        assertThat(premium.tier()).isEqualTo("premium");
        assertThat(premium.tierRule()).isEqualTo("long-prompts");
        assertThat(premium.model()).isEqualTo("large");

        var tools = new Fixtures.Features();
        tools.tools = true;
        assertThat(plan(request("auto", null, tools, m -> true)).tierRule()).isEqualTo("tools");

        RoutePlan plain = plan(request("auto", null, new Fixtures.Features(), m -> true));
        assertThat(plain.tier()).isEqualTo("economy");
        assertThat(plain.tierRule()).isNull();
    }

    @Test
    void aKeyWithoutTheAliasSkipsRulesOfTiersItMayNotUse() {
        var longPrompt = new Fixtures.Features();
        longPrompt.promptTokens = 5000;
        RoutePlan plan = plan(request("auto", null, longPrompt, Set.of("tier:economy")::contains));
        assertThat(plan.tier()).isEqualTo("economy");
        assertThat(plan.tierRule()).isNull();
        assertThat(plan(request("auto", null, longPrompt, Set.of("tier:premium")::contains)).tier())
                .isEqualTo("premium");
    }

    @Test
    void aKeyThatMayUseNeitherARulesTierNorTheDefaultIsRefused() {
        var error = refusal(() -> plan(request("auto", null, new Fixtures.Features(),
                Set.of("tier:premium")::contains)));
        assertThat(error.httpStatus()).isEqualTo(403);
        assertThat(error.kind()).isEqualTo(ErrorKind.PERMISSION_DENIED);
        assertThat(error.code()).isEqualTo("model_not_allowed");
        assertThat(error.param()).isEqualTo("model");
        assertThat(error.message()).isEqualTo("The API key 'k1' may not use the model 'auto'.");
    }

    @Test
    void withAutomaticSelectionOffTheAliasIsJustAName() {
        var off = new RoutingTable(table.tiers(), AutoTier.OFF, Map.of(), Map.of(), Resilience.DEFAULTS);
        var error = refusal(() -> router.plan(models, off, request("auto", null, new Fixtures.Features(), m -> true),
                HealthView.ALL_AVAILABLE, NO_PRICES, random));
        assertThat(error.code()).isEqualTo("model_not_found");
    }

    @Test
    void scopesAreCheckedAgainstWhatTheClientAskedFor() {
        Predicate<String> onlyEconomy = Set.of("tier:economy")::contains;
        assertThat(plan(request("tier:economy", null, new Fixtures.Features(), onlyEconomy)).model())
                .isEqualTo("small");
        assertThat(plan(request("x", "economy", new Fixtures.Features(), onlyEconomy)).model()).isEqualTo("small");
        assertThat(refusal(() -> plan(request("small", null, new Fixtures.Features(), onlyEconomy))).message())
                .isEqualTo("The API key 'k1' may not use the model 'small'.");
        assertThat(refusal(() -> plan(request("x", "premium", new Fixtures.Features(), onlyEconomy))).message())
                .isEqualTo("The API key 'k1' may not use the model 'tier:premium'.");
        assertThat(refusal(() -> plan(request("tier:premium", null, new Fixtures.Features(), onlyEconomy)))
                .httpStatus()).isEqualTo(403);
    }

    @Test
    void whatTheAdminsRoutingReachesNeedsNoScope() {
        var models = models(
                Fixtures.group("a", Fixtures.onError("b"), d("a/d", 1)),
                Fixtures.group("b", Fallbacks.NONE, d("b/d", 1)));
        var health = new Fixtures.Health().down("a/d", java.time.Duration.ofSeconds(1));
        RoutePlan plan = router.plan(models, RoutingTable.DEFAULT,
                request("a", null, new Fixtures.Features(), Set.of("a")::contains), health, NO_PRICES, random);
        assertThat(firstGroup(plan)).isEqualTo("b");
        assertThat(plan.fellBack()).isTrue();
    }

    @Test
    void anUnknownModelIsNotFound() {
        var error = refusal(() -> plan(request("gpt-9", null, new Fixtures.Features(), m -> true)));
        assertThat(error.httpStatus()).isEqualTo(404);
        assertThat(error.kind()).isEqualTo(ErrorKind.MODEL_NOT_FOUND);
        assertThat(error.param()).isEqualTo("model");
        assertThat(error.message()).isEqualTo("The model 'gpt-9' does not exist or you do not have access to it.");
    }

    @Test
    void aGroupOfAnotherOperationIsABadRequest() {
        var error = refusal(() -> plan(request("embed", null, new Fixtures.Features(), m -> true)));
        assertThat(error.httpStatus()).isEqualTo(400);
        assertThat(error.code()).isEqualTo("model_not_supported");
        assertThat(error.param()).isEqualTo("model");
        assertThat(error.message()).isEqualTo("The model 'embed' serves embeddings, not this endpoint.");

        var chat = refusal(() -> router.plan(models, table, new RouteRequest("small", null, Operation.EMBEDDINGS,
                new Fixtures.Features(), m -> true, null, RequestOptions.DEFAULTS), HealthView.ALL_AVAILABLE,
                NO_PRICES, random));
        assertThat(chat.message()).isEqualTo("The model 'small' serves chat, not this endpoint.");
    }

    @Test
    void countingTokensIsServedByChatGroups() {
        RoutePlan plan = router.plan(models, table, new RouteRequest("small", null, Operation.COUNT_TOKENS,
                new Fixtures.Features(), m -> true, null, RequestOptions.DEFAULTS), HealthView.ALL_AVAILABLE,
                NO_PRICES, random);
        assertThat(firstGroup(plan)).isEqualTo("small");
    }

    @Test
    void fallbackGroupsOfAnotherOperationAreSkipped() {
        var models = models(
                Fixtures.group("a", Fixtures.onError("embed", "b"), d("a/d", 1)),
                new ModelGroup("embed", Operation.EMBEDDINGS, List.of(d("embed/d", 1))),
                Fixtures.group("b", Fallbacks.NONE, d("b/d", 1)));
        var health = new Fixtures.Health().down("a/d", java.time.Duration.ofSeconds(1));
        RoutePlan plan = router.plan(models, RoutingTable.DEFAULT, Fixtures.request("a"), health, NO_PRICES, random);
        assertThat(((RetryDecision.TryNext) plan.first()).candidate().deployment().id()).isEqualTo("b/d");
    }

    @Test
    void aTiersOtherGroupsAreItsFallbacksInOrder() {
        var health = new Fixtures.Health().down("small/d", java.time.Duration.ofSeconds(1));
        RoutePlan plan = router.plan(models, table, request("tier:economy", null, new Fixtures.Features(), m -> true),
                health, NO_PRICES, random);
        assertThat(plan.model()).isEqualTo("small");
        assertThat(firstGroup(plan)).isEqualTo("medium");
        assertThat(plan.fellBack()).isTrue();
    }
}
