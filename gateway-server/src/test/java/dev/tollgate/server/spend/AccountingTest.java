package dev.tollgate.server.spend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.PerUser;
import dev.tollgate.core.access.Team;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.cache.CacheSettings;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.guard.GuardrailPolicy;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.quality.ReviewSettings;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.pricing.Unpriced;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.LocalQuotaStore;
import dev.tollgate.core.quota.Period;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.RoutingTable;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.runtime.MetricsSettings;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.core.runtime.StorageSettings;
import dev.tollgate.server.access.Caller;
import dev.tollgate.server.testing.NoMetrics;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Quotes and charges: which scopes a request is counted in, what it reserves, what it costs. */
class AccountingTest {
    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private static final Money ONE = Money.ofUsd("1");
    /** $1 per million input tokens, $2 per million output, answers of at most 1,000 tokens. */
    private static final Price PRICE = new Price(ONE, Money.ofUsd("2"), ONE, ONE, Money.ofUsd("2"), 1_000);
    private static final Budget DAILY = new Budget(Money.ofUsd("10"), Period.DAILY, List.of(0.5));

    private final LocalQuotaStore store = new LocalQuotaStore(ZoneId.of("UTC"));
    private final Accounting accounting = new Accounting(store, (request, type, model) -> 100,
            new BudgetAlerts(() -> null, new NoMetrics(), line -> { }, Clock.fixed(NOW, ZoneOffset.UTC)),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterEach
    void close() {
        store.close();
    }

    /** A quote in one step, on the test's thread: pending, then completed with {@code sizer}. */
    private Quote quote(RuntimeSnapshot snapshot, Caller caller, String model, Deployment deployment, boolean billable,
                        Accounting.Sizer sizer) {
        return accounting.complete(accounting.pending(snapshot, caller, model, deployment, billable), sizer);
    }

    static Deployment deployment(String model, Limits limits) {
        var provider = new Provider("p", "openai", URI.create("http://127.0.0.1:9/v1"), null, "authorization",
                List.of(), Timeouts.DEFAULTS, null, null);
        return new Deployment("m/p/" + model, provider, model, 1, limits);
    }

    static RuntimeSnapshot snapshot(AccessPolicy access, Map<String, Price> prices) {
        return new RuntimeSnapshot("test", ServerSettings.DEFAULTS, Map.of(), Map.of(), access, prices,
                new StorageSettings(null, null, "t:", StorageSettings.OnStoreFailure.LOCAL,
                        StorageSettings.OnStoreFailure.FAIL_CLOSED, Path.of("spill"), 1 << 20), RoutingTable.DEFAULT,
                CacheSettings.OFF, TraceSettings.OFF, MetricsSettings.DEFAULTS, ReviewSettings.OFF, PromptRegistry.EMPTY,
                GuardrailPolicy.NONE, EvaluationSettings.OFF);
    }

    static AccessPolicy policy(Unpriced unpriced, Price unpricedPrice, Budget global) {
        return new AccessPolicy(Map.of("ops", new Team("ops", new Limits(100, 0, 0), DAILY, Map.of())), List.of(),
                global, ZoneId.of("UTC"), unpriced, unpricedPrice, null, List.of());
    }

    static Caller caller(String user) {
        var key = new VirtualKey("bot", KeyHash.of("k"), "ops", NOW, null, false, Set.of(), Set.of(), Map.of(),
                new Limits(0, 50_000, 0), DAILY, new PerUser(new Limits(10, 0, 0), null), VirtualKey.Source.CONFIG);
        return new Caller(key, new Team("ops", new Limits(100, 0, 0), DAILY, Map.of()), user);
    }

    @Test
    void aRequestIsCountedInEveryScopeThatLimitsIt() {
        var snap = snapshot(policy(Unpriced.REJECT, null, DAILY), Map.of("gpt-x", PRICE));
        Quote q = quote(snap, caller("alice"), "m", deployment("gpt-x", new Limits(5, 0, 0)), true,
                counter -> new RequestSize(counter.inputTokens((ChatRequest) null, "openai", "gpt-x"), 300, 2));
        assertThat(q.checks()).extracting(QuotaCheck::scope)
                .containsExactly("key:bot", "user:bot:alice", "team:ops", "deployment:m/p/gpt-x", "global");
        assertThat(q.tokens()).isEqualTo(100 + 300 * 2);
        // 100 input at $1/M and 600 output at $2/M: $0.0001 + $0.0012.
        assertThat(q.cost()).isEqualTo(Money.ofUsd("0.0013"));
        assertThat(q.checks().get(0).window().start()).isEqualTo(Instant.parse("2026-11-28T00:00:00Z"));
    }

    @Test
    void aPendingQuoteNeedsTheSizeOnlyUnderABudgetOrATokenLimit() {
        var snap = snapshot(policy(Unpriced.REJECT, null, null), Map.of("gpt-x", PRICE));
        PendingQuote requestsOnly = accounting.pending(snap, Caller.ANONYMOUS, "m",
                deployment("gpt-x", new Limits(5, 0, 0)), true);
        assertThat(requestsOnly.needsSize()).isFalse();
        Quote unsized = accounting.complete(requestsOnly, counter -> {
            throw new AssertionError("a quote that needs no size measured the request");
        });
        assertThat(List.of(unsized.tokens(), unsized.cost())).isEqualTo(List.of(0L, Money.ZERO));

        PendingQuote tokenLimited = accounting.pending(snap, Caller.ANONYMOUS, "m",
                deployment("gpt-x", new Limits(0, 10_000, 0)), true);
        assertThat(tokenLimited.needsSize()).isTrue();
        Quote tokens = accounting.complete(tokenLimited, counter -> new RequestSize(100, 300, 1));
        assertThat(tokens.tokens()).isEqualTo(100 + 300);
        assertThat(tokens.cost()).isEqualTo(Money.ZERO); // no budget: no cost reserved

        PendingQuote budgeted = accounting.pending(snap, caller("alice"), "m", deployment("gpt-x", Limits.NONE),
                true);
        assertThat(budgeted.needsSize()).isTrue();
        Quote costed = accounting.complete(budgeted, counter -> new RequestSize(100, 300, 2));
        assertThat(costed.tokens()).isEqualTo(100 + 300 * 2);
        assertThat(costed.cost()).isEqualTo(Money.ofUsd("0.0013")); // 100 in at $1/M, 600 out at $2/M
    }

    @Test
    void aFollowUpCountsNoSecondRequestExceptOnTheNewDeployment() {
        var snap = snapshot(policy(Unpriced.REJECT, null, DAILY), Map.of("gpt-x", PRICE));
        Quote q = quote(snap, caller("alice"), "m", deployment("gpt-x", new Limits(5, 0, 0)), true,
                counter -> new RequestSize(100, 300, 1));
        Quote followUp = q.followUp();
        assertThat(followUp.checks()).extracting(QuotaCheck::scope, QuotaCheck::countsRequest).containsExactly(
                tuple("key:bot", false), tuple("user:bot:alice", false), tuple("team:ops", false),
                tuple("deployment:m/p/gpt-x", true), tuple("global", false));
        assertThat(followUp.checks()).extracting(QuotaCheck::limits, QuotaCheck::budget, QuotaCheck::window)
                .isEqualTo(q.checks().stream().map(c -> tuple(c.limits(), c.budget(), c.window())).toList());
        assertThat(List.of(followUp.tokens(), followUp.cost(), followUp.price()))
                .isEqualTo(List.of(q.tokens(), q.cost(), q.price()));
    }

    @Test
    void usageOutsideAReservationIsPricedAtTheDeploymentsPrice() {
        var snap = snapshot(policy(Unpriced.REJECT, null, DAILY), Map.of("gpt-x", PRICE));
        assertThat(accounting.charge(snap, deployment("gpt-x", Limits.NONE), Usage.reported(1_000_000, 500_000)))
                .isEqualTo(new Charge(Money.ofUsd("2"), false));
        assertThat(accounting.charge(snap, deployment("mystery", Limits.NONE), Usage.reported(10, 10)))
                .isEqualTo(new Charge(Money.ZERO, true));
        assertThat(accounting.charge(snap, deployment("gpt-x", Limits.NONE), Usage.UNKNOWN))
                .isEqualTo(Charge.NOTHING);
    }

    @Test
    void theOutputReserveIsTheClientsCapWithinTheModelsElseTheModelsElseADefault() {
        var snap = snapshot(policy(Unpriced.REJECT, null, null), Map.of("gpt-x", PRICE,
                "gpt-uncapped", Price.simple(ONE, ONE)));
        Deployment capped = deployment("gpt-x", Limits.NONE);
        Deployment uncapped = deployment("gpt-uncapped", Limits.NONE);
        assertThat(tokens(snap, capped, 5_000)).isEqualTo(100 + 1_000);
        assertThat(tokens(snap, capped, -1)).isEqualTo(100 + 1_000);
        assertThat(tokens(snap, uncapped, 32_000)).isEqualTo(100 + 32_000);
        assertThat(tokens(snap, uncapped, -1)).isEqualTo(100 + PendingQuote.DEFAULT_OUTPUT_RESERVE);
        assertThat(tokens(snap, uncapped, 0)).isEqualTo(100);
    }

    private long tokens(RuntimeSnapshot snap, Deployment d, long maxOutput) {
        return quote(snap, caller(null), "m", d, true,
                counter -> new RequestSize(100, maxOutput, 1)).tokens();
    }

    @Test
    void tokenCountingIsChargedNothingAndBudgetsDoNotApply() {
        var snap = snapshot(policy(Unpriced.REJECT, null, DAILY), Map.of());
        Quote q = quote(snap, caller(null), "m", deployment("unpriced", Limits.NONE), false,
                counter -> RequestSize.NOTHING);
        assertThat(q.checks()).allSatisfy(c -> assertThat(c.budget()).isNull());
        assertThat(q.cost()).isEqualTo(Money.ZERO);
    }

    @Test
    void anUnpricedModelUnderABudgetIsRefusedOrChargedItsReservation() {
        var reject = snapshot(policy(Unpriced.REJECT, null, null), Map.of());
        assertThatThrownBy(() -> quote(reject, caller(null), "m", deployment("mystery", Limits.NONE),
                true, counter -> new RequestSize(100, 10, 1)))
                .isInstanceOf(GatewayException.class)
                .satisfies(e -> assertThat(((GatewayException) e).error().code()).isEqualTo("model_unpriced"));

        var charge = snapshot(policy(Unpriced.CHARGE_RESERVATION, PRICE, null), Map.of());
        Quote q = quote(charge, caller(null), "m", deployment("mystery", Limits.NONE), true,
                counter -> new RequestSize(100, 10, 1));
        assertThat(q.fallbackPrice()).isTrue();
        assertThat(accounting.charge(q, Usage.reported(1, 1))).isEqualTo(new Charge(q.cost(), true));
        assertThat(accounting.charge(q, Usage.UNKNOWN)).isEqualTo(Charge.NOTHING);
    }

    @Test
    void chargesFollowActualUsageAndSayWhenTheyAreEstimates() {
        var snap = snapshot(policy(Unpriced.REJECT, null, null), Map.of("gpt-x", PRICE));
        Quote q = quote(snap, Caller.ANONYMOUS, "m", deployment("gpt-x", Limits.NONE), true,
                counter -> new RequestSize(100, 10, 1));
        assertThat(q.limited()).isFalse(); // nothing limits an anonymous caller here: no store call at all
        assertThat(accounting.charge(q, Usage.reported(1_000_000, 500_000)))
                .isEqualTo(new Charge(Money.ofUsd("2"), false));
        assertThat(accounting.charge(q, Usage.estimated(1_000_000, 0))).isEqualTo(new Charge(ONE, true));
        var unpriced = quote(snap, Caller.ANONYMOUS, "m", deployment("mystery", Limits.NONE), true,
                counter -> new RequestSize(100, 10, 1));
        assertThat(accounting.charge(unpriced, Usage.reported(10, 10))).isEqualTo(new Charge(Money.ZERO, true));
    }
}
