package dev.tollgate.core.routing;

import static dev.tollgate.core.routing.Fixtures.NO_PRICES;
import static dev.tollgate.core.routing.Fixtures.d;
import static dev.tollgate.core.routing.Fixtures.models;
import static dev.tollgate.core.routing.Fixtures.onError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.spi.Operation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Every path of {@link RoutePlan#next} and {@link RoutePlan#unavailable}. */
class RetryDecisionTest {
    private static final Duration PLENTY = Duration.ofMinutes(1);
    private static final GatewayError FAILED = GatewayError.of(ErrorKind.PROVIDER_ERROR, "upstream 500");
    private static final GatewayError RATE_LIMITED = GatewayError.of(ErrorKind.PROVIDER_RATE_LIMITED, "slow down");
    private static final Resilience.Retries RETRIES = new Resilience.Retries(1, 10, Duration.ofMillis(200),
            Duration.ofSeconds(5), Duration.ofSeconds(10), 0.2, 10);

    private final AtomicLong clock = new AtomicLong();
    private RetryBudget budget = new RetryBudget();
    private final Fixtures.Health health = new Fixtures.Health();
    private final SplittableRandom random = new SplittableRandom(17);

    private RoutePlan plan(Map<String, ModelGroup> models, String model, Resilience.Retries retries,
                           RequestOptions options) {
        var table = new RoutingTable(Map.of(), AutoTier.OFF, Map.of(), Map.of(),
                new Resilience(retries, Resilience.Breaker.DEFAULTS, 0, Resilience.ClientControls.DEFAULTS));
        var request = new RouteRequest(model, null, Operation.CHAT, new Fixtures.Features(), m -> true, null,
                options);
        return new Router(budget, clock::get).plan(models, table, request, health, NO_PRICES, random);
    }

    private RoutePlan plan(Map<String, ModelGroup> models, String model) {
        return plan(models, model, RETRIES, RequestOptions.DEFAULTS);
    }

    private static String id(RetryDecision decision) {
        assertThat(decision).isInstanceOf(RetryDecision.TryNext.class);
        return ((RetryDecision.TryNext) decision).candidate().deployment().id();
    }

    private static GatewayError gaveUp(RetryDecision decision) {
        assertThat(decision).isInstanceOf(RetryDecision.GiveUp.class);
        return ((RetryDecision.GiveUp) decision).error();
    }

    private static Duration waited(RetryDecision decision) {
        assertThat(decision).isInstanceOf(RetryDecision.RetrySame.class);
        return ((RetryDecision.RetrySame) decision).after();
    }

    private static ModelGroup single(String name, Fallbacks fallbacks) {
        return Fixtures.group(name, fallbacks, d(name + "/d", 1));
    }

    private static Fallbacks fallbacks(List<String> onError, List<String> onContext, List<String> onFilter) {
        return new Fallbacks(onError, onContext, onFilter);
    }

    @Test
    void theFirstCandidateCountsAsAnAttempt() {
        RoutePlan plan = plan(models(single("a", Fallbacks.NONE)), "a");
        assertThat(id(plan.first())).isEqualTo("a/d");
        assertThat(plan.attempts()).isEqualTo(1);
        assertThat(plan.tried()).containsExactly("a/d");
        assertThat(plan.fellBack()).isFalse();
        assertThatThrownBy(plan::first).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nothingAvailableIsA503WithTheSoonestRecoveryInWholeSeconds() {
        health.down("a/1", Duration.ofMillis(5200)).down("a/2", Duration.ofMillis(2300)).down("b/d", Duration.ofSeconds(9));
        var models = models(Fixtures.group("a", onError("b"), d("a/1", 1), d("a/2", 1)), single("b", Fallbacks.NONE));
        GatewayError error = gaveUp(plan(models, "a").first());
        assertThat(error.httpStatus()).isEqualTo(503);
        assertThat(error.kind()).isEqualTo(ErrorKind.PROVIDER_OVERLOADED);
        assertThat(error.code()).isEqualTo("no_healthy_deployment");
        assertThat(error.message()).isEqualTo("No deployment of the model 'a' can take requests right now.");
        assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(3));

        health.down("a/1", Duration.ofMillis(20)).down("a/2", Duration.ofMillis(20)).down("b/d", Duration.ofMillis(1));
        assertThat(gaveUp(plan(models, "a").first()).retryAfter()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void errorsNoRetryCanHelpGiveUpAsTheyAre() {
        var models = models(Fixtures.group("a", onError("b"), d("a/1", 1), d("a/2", 1)), single("b", Fallbacks.NONE));
        for (ErrorKind kind : List.of(ErrorKind.PROVIDER_BAD_REQUEST, ErrorKind.PROVIDER_AUTH,
                ErrorKind.INVALID_REQUEST, ErrorKind.INTERNAL)) {
            RoutePlan plan = plan(models, "a");
            plan.first();
            GatewayError error = GatewayError.of(kind, "no");
            assertThat(gaveUp(plan.next(error, PLENTY))).isSameAs(error);
            assertThat(plan.attempts()).isEqualTo(1);
        }
    }

    @Test
    void aRetryableFailureTriesTheGroupThenItsFallbacksThenTheSameDeployment() {
        var models = models(Fixtures.group("a", onError("b"), d("a/1", 1), d("a/2", 1)), single("b", Fallbacks.NONE));
        RoutePlan plan = plan(models, "a");
        String first = id(plan.first());
        String second = id(plan.next(FAILED, PLENTY));
        assertThat(List.of(first, second)).containsExactlyInAnyOrder("a/1", "a/2");
        assertThat(plan.fellBack()).isFalse();
        assertThat(id(plan.next(FAILED, PLENTY))).isEqualTo("b/d");
        assertThat(plan.fellBack()).isTrue();
        assertThat(waited(plan.next(FAILED, PLENTY))).isBetween(Duration.ZERO, Duration.ofMillis(200));
        assertThat(gaveUp(plan.next(FAILED, PLENTY))).isSameAs(FAILED);
        assertThat(plan.attempts()).isEqualTo(4);
        assertThat(plan.tried()).containsExactly(first, second, "b/d", "b/d");
    }

    @Test
    void sameDeploymentBackoffDoublesWithFullJitterUpToTheCap() {
        var retries = new Resilience.Retries(3, 10, Duration.ofMillis(100), Duration.ofMillis(250),
                Duration.ofSeconds(10), 1, 100);
        Duration[] longest = new Duration[3];
        Duration[] shortest = {PLENTY, PLENTY, PLENTY};
        for (int run = 0; run < 400; run++) {
            RoutePlan plan = plan(models(single("a", Fallbacks.NONE)), "a", retries, RequestOptions.DEFAULTS);
            plan.first();
            plan.sent();
            for (int n = 0; n < 3; n++) {
                Duration wait = waited(plan.next(FAILED, PLENTY));
                longest[n] = longest[n] == null || wait.compareTo(longest[n]) > 0 ? wait : longest[n];
                shortest[n] = wait.compareTo(shortest[n]) < 0 ? wait : shortest[n];
            }
            assertThat(plan.next(FAILED, PLENTY)).isInstanceOf(RetryDecision.GiveUp.class);
        }
        assertThat(longest[0]).isBetween(Duration.ofMillis(95), Duration.ofMillis(100));
        assertThat(longest[1]).isBetween(Duration.ofMillis(190), Duration.ofMillis(200));
        assertThat(longest[2]).isBetween(Duration.ofMillis(240), Duration.ofMillis(250));
        assertThat(shortest).allSatisfy(wait -> assertThat(wait).isLessThan(Duration.ofMillis(10)));
    }

    @Test
    void aRetryWaitsAtLeastTheErrorsRetryAfter() {
        RoutePlan plan = plan(models(single("a", Fallbacks.NONE)), "a");
        plan.first();
        assertThat(waited(plan.next(FAILED.withRetryAfter(Duration.ofSeconds(2)), PLENTY)))
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aWaitBeyondTheDeadlineOrMaxRetryAfterGivesUp() {
        RoutePlan late = plan(models(single("a", Fallbacks.NONE)), "a");
        late.first();
        assertThat(gaveUp(late.next(FAILED.withRetryAfter(Duration.ofSeconds(2)), Duration.ofSeconds(1))))
                .isEqualTo(FAILED.withRetryAfter(Duration.ofSeconds(2)));

        RoutePlan tooLong = plan(models(single("a", Fallbacks.NONE)), "a");
        tooLong.first();
        assertThat(tooLong.next(FAILED.withRetryAfter(Duration.ofSeconds(11)), PLENTY))
                .isInstanceOf(RetryDecision.GiveUp.class);
    }

    @Test
    void noTimeLeftGivesUpEvenWithCandidatesLeft() {
        var models = models(Fixtures.group("a", Fallbacks.NONE, d("a/1", 1), d("a/2", 1)));
        RoutePlan plan = plan(models, "a");
        plan.first();
        assertThat(gaveUp(plan.next(FAILED, Duration.ZERO))).isSameAs(FAILED);
        assertThat(plan.attempts()).isEqualTo(1);
    }

    @Test
    void noRequestMakesMoreThanMaxAttempts() {
        var retries = new Resilience.Retries(5, 3, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofSeconds(10), 1, 100);
        var models = models(Fixtures.group("a", Fallbacks.NONE, d("a/1", 1), d("a/2", 1), d("a/3", 1), d("a/4", 1)));
        RoutePlan plan = plan(models, "a", retries, RequestOptions.DEFAULTS);
        plan.first();
        plan.next(FAILED, PLENTY);
        plan.next(FAILED, PLENTY);
        assertThat(gaveUp(plan.next(FAILED, PLENTY))).isSameAs(FAILED);
        assertThat(plan.attempts()).isEqualTo(3);
    }

    @Test
    void anEmptyRetryBudgetGivesUp() {
        var stingy = new Resilience.Retries(1, 10, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofSeconds(10), 0.5, 0);
        var models = models(Fixtures.group("a", Fallbacks.NONE, d("a/1", 1), d("a/2", 1)));
        // Two first attempts earn one retry in all.
        RoutePlan one = plan(models, "a", stingy, RequestOptions.DEFAULTS);
        RoutePlan two = plan(models, "a", stingy, RequestOptions.DEFAULTS);
        one.first();
        one.sent();
        two.first();
        two.sent();
        assertThat(one.next(FAILED, PLENTY)).isInstanceOf(RetryDecision.TryNext.class);
        assertThat(gaveUp(two.next(FAILED, PLENTY))).isSameAs(FAILED);
        // Ten seconds on, the earnings have lapsed and so have the retries; a new first attempt earns again.
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        RoutePlan three = plan(models, "a", stingy, RequestOptions.DEFAULTS);
        RoutePlan four = plan(models, "a", stingy, RequestOptions.DEFAULTS);
        three.first();
        three.sent();
        four.first();
        four.sent();
        assertThat(four.next(FAILED, PLENTY)).isInstanceOf(RetryDecision.TryNext.class);
    }

    @Test
    void onlyRequestsSentUpstreamEarnRetries() {
        var stingy = new Resilience.Retries(1, 10, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofSeconds(10), 0.5, 0);
        var models = models(Fixtures.group("a", Fallbacks.NONE, d("a/1", 1), d("a/2", 1)));
        for (int i = 0; i < 10; i++) { // planned, then refused before sending (by a limit, say): nothing earned
            plan(models, "a", stingy, RequestOptions.DEFAULTS).first();
        }
        RoutePlan sent = plan(models, "a", stingy, RequestOptions.DEFAULTS);
        sent.first();
        sent.sent();
        sent.sent(); // a second send (a retry) earns nothing more
        assertThat(gaveUp(sent.next(FAILED, PLENTY))).isSameAs(FAILED);
    }

    @Test
    void theClientsRetriesReplaceTheConfigs() {
        RoutePlan none = plan(models(single("a", Fallbacks.NONE)), "a", RETRIES, new RequestOptions(null, 0, true));
        none.first();
        assertThat(none.next(FAILED, PLENTY)).isInstanceOf(RetryDecision.GiveUp.class);

        RoutePlan three = plan(models(single("a", Fallbacks.NONE)), "a", RETRIES, new RequestOptions(null, 3, true));
        three.first();
        for (int i = 0; i < 3; i++) {
            assertThat(three.next(FAILED, PLENTY)).isInstanceOf(RetryDecision.RetrySame.class);
        }
        assertThat(three.next(FAILED, PLENTY)).isInstanceOf(RetryDecision.GiveUp.class);
    }

    @Test
    void withFallbacksOffOnlyTheGroupsOwnDeploymentsAreTried() {
        var models = models(
                Fixtures.group("a", fallbacks(List.of("b"), List.of("b"), List.of("b")), d("a/1", 1), d("a/2", 1)),
                single("b", Fallbacks.NONE));
        var off = new RequestOptions(null, 0, false);
        RoutePlan plan = plan(models, "a", RETRIES, off);
        plan.first();
        assertThat(id(plan.next(FAILED, PLENTY))).startsWith("a/");
        assertThat(gaveUp(plan.next(FAILED, PLENTY))).isSameAs(FAILED);
        assertThat(plan.fellBack()).isFalse();

        GatewayError tooLong = GatewayError.of(ErrorKind.CONTEXT_TOO_LONG, "too long");
        RoutePlan context = plan(models, "a", RETRIES, off);
        context.first();
        assertThat(gaveUp(context.next(tooLong, PLENTY))).isSameAs(tooLong);

        health.down("a/1", Duration.ofSeconds(1)).down("a/2", Duration.ofSeconds(1));
        assertThat(gaveUp(plan(models, "a", RETRIES, off).first()).httpStatus()).isEqualTo(503);
    }

    @Test
    void aRateLimitedDeploymentIsLeftForAnotherFirst() {
        var retries = new Resilience.Retries(3, 10, Duration.ofMillis(200), Duration.ofSeconds(5),
                Duration.ofSeconds(10), 1, 100);
        var models = models(Fixtures.group("a", onError("b"), d("a/1", 1), d("a/2", 1)), single("b", Fallbacks.NONE));
        RoutePlan plan = plan(models, "a", retries, RequestOptions.DEFAULTS);
        String first = id(plan.first());
        GatewayError limited = RATE_LIMITED.withRetryAfter(Duration.ofSeconds(2));
        assertThat(id(plan.next(limited, PLENTY))).isNotEqualTo(first).startsWith("a/");
        assertThat(id(plan.next(limited, PLENTY))).isEqualTo("b/d");
        // Nothing else left: wait out the Retry-After on the last one.
        assertThat(waited(plan.next(limited, PLENTY))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aRateLimitWaitMustFitTheDeadlineAndMaxRetryAfter() {
        var models = models(single("a", Fallbacks.NONE));
        RoutePlan beyondMax = plan(models, "a");
        beyondMax.first();
        GatewayError longWait = RATE_LIMITED.withRetryAfter(Duration.ofSeconds(30));
        GatewayError passedOn = gaveUp(beyondMax.next(longWait, PLENTY));
        assertThat(passedOn).isSameAs(longWait);
        assertThat(passedOn.retryAfter()).isEqualTo(Duration.ofSeconds(30));

        RoutePlan beyondDeadline = plan(models, "a");
        beyondDeadline.first();
        assertThat(beyondDeadline.next(RATE_LIMITED.withRetryAfter(Duration.ofSeconds(5)), Duration.ofSeconds(3)))
                .isInstanceOf(RetryDecision.GiveUp.class);

        RoutePlan noHint = plan(models, "a");
        noHint.first();
        assertThat(waited(noHint.next(RATE_LIMITED, PLENTY))).isBetween(Duration.ZERO, Duration.ofMillis(200));
    }

    /** Group {@code a} (two deployments) with one fallback of each kind: err, long and safe. */
    private static Map<String, ModelGroup> oneFallbackPerKind() {
        return models(
                Fixtures.group("a", fallbacks(List.of("err"), List.of("long"), List.of("safe")), d("a/1", 1),
                        d("a/2", 1)),
                single("err", Fallbacks.NONE), single("long", Fallbacks.NONE), single("safe", Fallbacks.NONE));
    }

    @Test
    void aContextRefusalGoesOnlyToTheContextFallbacks() {
        GatewayError tooLong = GatewayError.of(ErrorKind.CONTEXT_TOO_LONG, "too long");
        RoutePlan plan = plan(oneFallbackPerKind(), "a");
        plan.first();
        assertThat(id(plan.next(tooLong, PLENTY))).isEqualTo("long/d");
        assertThat(plan.fellBack()).isTrue();
        assertThat(gaveUp(plan.next(tooLong, PLENTY))).isSameAs(tooLong);

        RoutePlan none = plan(models(single("x", Fallbacks.NONE)), "x");
        none.first();
        assertThat(gaveUp(none.next(tooLong, PLENTY))).isSameAs(tooLong);
    }

    @Test
    void aContentFilterRefusalGoesOnlyToTheContentFallbacks() {
        GatewayError filtered = GatewayError.of(ErrorKind.CONTENT_FILTERED, "refused");
        RoutePlan plan = plan(oneFallbackPerKind(), "a");
        plan.first();
        assertThat(id(plan.next(filtered, PLENTY))).isEqualTo("safe/d");
        // The fallback fails otherwise: its own group and fallbacks go on from there.
        assertThat(plan.next(FAILED, PLENTY)).isInstanceOf(RetryDecision.RetrySame.class);
    }

    @Test
    void fallbacksAreVisitedDepthFirstAndACycleEnds() {
        var models = models(
                single("a", onError("b", "c")),
                single("b", onError("d", "a")),
                single("c", onError("a", "b")),
                single("d", onError("b")));
        var noSameRetries = new RequestOptions(null, 0, true);
        RoutePlan plan = plan(models, "a", RETRIES, noSameRetries);
        plan.first();
        RetryDecision decision;
        while ((decision = plan.next(FAILED, PLENTY)) instanceof RetryDecision.TryNext) {
            // every fallback once
        }
        assertThat(gaveUp(decision)).isSameAs(FAILED);
        // b's own fallback d stands in for b before a's next fallback c is tried.
        assertThat(plan.tried()).containsExactly("a/d", "b/d", "d/d", "c/d");
    }

    @Test
    void aGroupsOwnFallbacksComeBeforeTheTiersNextGroup() {
        var models = models(single("x", onError("z")), single("y", Fallbacks.NONE), single("z", Fallbacks.NONE));
        var table = new RoutingTable(Map.of("t", new Tier("t", List.of("x", "y"))), AutoTier.OFF, Map.of(),
                Map.of(), new Resilience(RETRIES, Resilience.Breaker.DEFAULTS, 0, Resilience.ClientControls.DEFAULTS));
        var request = new RouteRequest("tier:t", null, Operation.CHAT, new Fixtures.Features(), m -> true, null,
                new RequestOptions(null, 0, true));
        RoutePlan plan = new Router(budget, clock::get).plan(models, table, request, health, NO_PRICES, random);
        plan.first();
        while (plan.next(FAILED, PLENTY) instanceof RetryDecision.TryNext) {
            // every candidate once
        }
        assertThat(plan.tried()).containsExactly("x/d", "z/d", "y/d");
    }

    @Test
    void healthIsReadAsTheWalkReachesEachDeployment() {
        var models = models(Fixtures.group("a", onError("b"), d("a/1", 1)), single("b", Fallbacks.NONE));
        RoutePlan plan = plan(models, "a");
        assertThat(id(plan.first())).isEqualTo("a/1");
        // b's circuit opens while a/1 is being tried: the fallback is passed over when its turn comes.
        health.down("b/d", Duration.ofSeconds(4));
        assertThat(waited(plan.next(FAILED, PLENTY))).isLessThanOrEqualTo(Duration.ofMillis(200));
        assertThat(plan.tried()).containsExactly("a/1", "a/1");
    }

    @Test
    void anUnavailableCandidateIsReplacedWithoutCountingAnAttemptOrSpendingBudget() {
        var stingy = new Resilience.Retries(1, 2, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofSeconds(10), 0, 0);
        var models = models(Fixtures.group("a", onError("b"), d("a/1", 1, 0), d("a/2", 1, 1)),
                single("b", Fallbacks.NONE));
        RoutePlan plan = plan(models, "a", stingy, RequestOptions.DEFAULTS);
        assertThat(id(plan.first())).isEqualTo("a/1");
        assertThat(id(plan.unavailable(Duration.ofSeconds(7)))).isEqualTo("a/2");
        assertThat(plan.attempts()).isEqualTo(1);
        assertThat(plan.tried()).containsExactly("a/2");
        assertThat(id(plan.unavailable(Duration.ofMillis(1500)))).isEqualTo("b/d");
        assertThat(plan.fellBack()).isTrue();
        GatewayError none = gaveUp(plan.unavailable(Duration.ofSeconds(9)));
        assertThat(none.httpStatus()).isEqualTo(503);
        assertThat(none.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(plan.attempts()).isZero();
        assertThat(plan.tried()).isEmpty();
    }

    @Test
    void afterAnUnavailableCandidateTheAttemptLimitStillCountsOnlyRealAttempts() {
        var two = new Resilience.Retries(0, 2, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofSeconds(10), 1, 100);
        var models = models(Fixtures.group("a", Fallbacks.NONE, d("a/1", 1, 0), d("a/2", 1, 1), d("a/3", 1, 2)));
        RoutePlan plan = plan(models, "a", two, RequestOptions.DEFAULTS);
        plan.first();
        plan.unavailable(Duration.ofSeconds(1));
        assertThat(id(plan.next(FAILED, PLENTY))).isEqualTo("a/3");
        assertThat(plan.tried()).containsExactly("a/2", "a/3");
        assertThat(plan.next(FAILED, PLENTY)).isInstanceOf(RetryDecision.GiveUp.class);
    }
}
