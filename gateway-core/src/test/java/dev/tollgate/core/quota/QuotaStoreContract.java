package dev.tollgate.core.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.pricing.Money;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The counting rules every {@link QuotaStore} follows. A store's test extends this and says how to open a fresh,
 * empty store; each test opens its own. Times are fixed instants, so the rules are checked to the millisecond.
 */
public abstract class QuotaStoreContract {
    protected static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    /** A Monday at midnight UTC: on a bucket boundary, mid-day in the budget zone. */
    protected static final Instant T0 = Instant.parse("2030-01-07T00:00:00Z");
    protected static final Duration TTL = Duration.ofMinutes(10);

    private final List<QuotaStore> opened = new ArrayList<>();
    private int requestIds;

    /** A new store over empty counters, with budget periods in {@code zone}. */
    protected abstract QuotaStore newStore(ZoneId zone);

    protected final QuotaStore store() {
        QuotaStore store = newStore(ZONE);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(QuotaStore::close);
        opened.clear();
    }

    // ---- sliding minute: requests ----

    @Test
    void rpmHoldsAcrossTheMinuteBoundaryWithoutADoubleBurst() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 10, 0, 0);
        for (int i = 0; i < 10; i++) {
            granted(store, demand(at(59), key));
        }
        // A fixed window would reset at t=60 and allow ten more within two seconds of the first ten.
        Denial denial = denied(store, demand(at(61), key)).denial();
        assertThat(denial.dimension()).isEqualTo(Dimension.REQUESTS);
        assertThat(denial.scope()).isEqualTo("key:a");
        assertThat(denial.limit()).isEqualTo(10);
        assertThat(denial.used()).isEqualTo(10);
        // Bucket [55 s, 60 s) stops counting when the bucket [120 s, 125 s) begins.
        assertThat(denial.retryAfter()).isEqualTo(Duration.ofSeconds(59));
        denied(store, demand(atMillis(119_999), key));
        for (int i = 0; i < 10; i++) {
            granted(store, demand(at(120), key));
        }
        denied(store, demand(at(121), key));
    }

    @Test
    void noSixtySecondIntervalHoldsMoreThanTheLimit() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 5, 0, 0);
        for (int i = 0; i < 5; i++) {
            granted(store, demand(atMillis(4_999), key));
        }
        // [4.999 s, 64.999 s) is sixty seconds: a request at 60 s or 64 s would be the sixth in it.
        denied(store, demand(at(60), key));
        denied(store, demand(at(64), key));
        granted(store, demand(at(65), key));
    }

    @Test
    void retryAfterWaitsForEnoughOldBucketsToLeave() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 4, 0, 0);
        granted(store, demand(at(0), key));
        granted(store, demand(at(10), key));
        granted(store, demand(at(20), key));
        granted(store, demand(at(20), key));
        Denial denial = denied(store, demand(at(30), key)).denial();
        // One slot frees when the t=0 bucket leaves at 65 s.
        assertThat(denial.retryAfter()).isEqualTo(Duration.ofSeconds(35));
    }

    // ---- sliding minute: tokens ----

    @Test
    void tokensAreReservedAndAShortfallIsGivenBack() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 0, 1000, 0);
        Reservation first = granted(store, demand(at(0), 600, Money.ZERO, key)).reservation();
        Denial denial = denied(store, demand(at(1), 600, Money.ZERO, key)).denial();
        assertThat(denial.dimension()).isEqualTo(Dimension.TOKENS);
        assertThat(denial.used()).isEqualTo(600);
        assertThat(denial.retryAfter()).isEqualTo(Duration.ofSeconds(64));

        join(first.settle(100, Money.ZERO, at(2)));
        assertThat(usage(store, key, at(2)).tokens()).isEqualTo(100);
        granted(store, demand(at(3), 600, Money.ZERO, key));
        assertThat(usage(store, key, at(3)).tokens()).isEqualTo(700);
    }

    @Test
    void anExcessIsAddedToTheCurrentBucket() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 0, 1000, 0);
        Reservation reservation = granted(store, demand(at(0), 100, Money.ZERO, key)).reservation();
        join(reservation.settle(900, Money.ZERO, at(10)));
        assertThat(usage(store, key, at(10)).tokens()).isEqualTo(900);
        Denial denial = denied(store, demand(at(10), 200, Money.ZERO, key)).denial();
        // The 100 reserved at t=0 leave at 65 s; the 800 excess counted at t=10 stay until 75 s.
        assertThat(denial.retryAfter()).isEqualTo(Duration.ofSeconds(55));
        assertThat(usage(store, key, at(65)).tokens()).isEqualTo(800);
        assertThat(usage(store, key, at(75)).tokens()).isZero();
    }

    @Test
    void aShortfallAfterItsMinuteLeftChangesNothing() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 0, 1000, 0);
        Reservation old = granted(store, demand(at(0), 500, Money.ZERO, key)).reservation();
        granted(store, demand(at(70), 300, Money.ZERO, key));
        join(old.settle(0, Money.ZERO, at(71)));
        assertThat(usage(store, key, at(71)).tokens()).isEqualTo(300);
    }

    @Test
    void aDemandLargerThanTheWholeLimitCanNeverFit() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 0, 1000, 0);
        Denial denial = denied(store, demand(at(0), 1001, Money.ZERO, key)).denial();
        assertThat(denial.dimension()).isEqualTo(Dimension.TOKENS);
        assertThat(denial.retryAfter()).isNull();
    }

    // ---- uncounted requests: a fallback attempt of a request already counted ----

    @Test
    void anUncountedDemandPassesAnExhaustedRpmAndAddsNoRequest() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 2, 0, 0);
        granted(store, demand(at(0), key));
        granted(store, demand(at(0), key));
        denied(store, demand(at(1), key));
        granted(store, demand(at(1), key.uncounted()));
        granted(store, demand(at(1), key.uncounted()));
        assertThat(usage(store, key, at(1)).requests()).isEqualTo(2);
        assertThat(denied(store, demand(at(2), key)).denial().used()).isEqualTo(2);
    }

    @Test
    void anUncountedDemandInAFreshBucketAddsNoRequest() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 1, 0, 0);
        granted(store, demand(at(0), key.uncounted()));
        assertThat(usage(store, key, at(0)).requests()).isZero();
        granted(store, demand(at(1), key));
        denied(store, demand(at(2), key));
    }

    @Test
    void anUncountedDemandStillReservesTokensConcurrencyAndBudget() {
        QuotaStore store = store();
        QuotaCheck key = new QuotaCheck("key:a", new Limits(1, 1000, 2), new Budget(usd("1"), Period.DAILY,
                List.of()), Period.DAILY.window(at(0), ZONE));
        Reservation first = granted(store, demand(at(0), 400, usd("0.4"), key)).reservation();
        join(first.settle(0, Money.ZERO, at(1)));
        Reservation fallback = granted(store, demand(at(1), 500, usd("0.5"), key.uncounted())).reservation();
        ScopeUsage usage = usage(store, key, at(1));
        assertThat(usage.requests()).isEqualTo(1);
        assertThat(usage.tokens()).isEqualTo(500);
        assertThat(usage.concurrent()).isEqualTo(1);
        assertThat(usage.reserved()).isEqualTo(usd("0.5"));

        QuotaCheck uncounted = key.uncounted();
        assertThat(denied(store, demand(at(2), 501, Money.ZERO, uncounted)).denial().dimension())
                .isEqualTo(Dimension.TOKENS);
        assertThat(denied(store, demand(at(2), 0, usd("0.6"), uncounted)).denial().dimension())
                .isEqualTo(Dimension.BUDGET);
        granted(store, demand(at(2), 0, Money.ZERO, uncounted));
        assertThat(denied(store, demand(at(2), 0, Money.ZERO, uncounted)).denial().dimension())
                .isEqualTo(Dimension.CONCURRENT);
        join(fallback.settle(450, usd("0.45"), at(3)));
        assertThat(usage(store, key, at(3)).spent()).isEqualTo(usd("0.45"));
    }

    @Test
    void aCountedAndAnUncountedScopeInOneDemand() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 1, 0, 0);
        QuotaCheck deployment = limits("deployment:d", 1, 0, 0);
        granted(store, demand(at(0), key));
        granted(store, demand(at(0), key.uncounted(), deployment));
        assertThat(usage(store, key, at(0)).requests()).isEqualTo(1);
        assertThat(usage(store, deployment, at(0)).requests()).isEqualTo(1);
        Denial denial = denied(store, demand(at(1), key.uncounted(), deployment)).denial();
        assertThat(denial.scope()).isEqualTo("deployment:d");
        assertThat(denial.dimension()).isEqualTo(Dimension.REQUESTS);
    }

    // ---- concurrency ----

    @Test
    void concurrencySlotsAreFreedBySettlement() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 0, 0, 2);
        Reservation first = granted(store, demand(at(0), key)).reservation();
        granted(store, demand(at(0), key));
        Denial denial = denied(store, demand(at(1), key)).denial();
        assertThat(denial.dimension()).isEqualTo(Dimension.CONCURRENT);
        assertThat(denial.limit()).isEqualTo(2);
        assertThat(denial.used()).isEqualTo(2);
        assertThat(denial.retryAfter()).isEqualTo(QuotaRules.CONCURRENCY_RETRY);
        assertThat(usage(store, key, at(1)).concurrent()).isEqualTo(2);

        join(first.settle(0, Money.ZERO, at(2)));
        assertThat(usage(store, key, at(2)).concurrent()).isEqualTo(1);
        granted(store, demand(at(2), key));
    }

    @Test
    void concurrencySlotsExpireWithTheirLease() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 0, 0, 2);
        Duration ttl = Duration.ofSeconds(30);
        granted(store, demand("a", at(0), 0, Money.ZERO, ttl, key));
        granted(store, demand("b", at(0), 0, Money.ZERO, ttl, key));
        denied(store, demand("c", at(29), 0, Money.ZERO, ttl, key));
        granted(store, demand("d", at(30), 0, Money.ZERO, ttl, key));
        assertThat(usage(store, key, at(30)).concurrent()).isEqualTo(1);
    }

    // ---- budgets ----

    @Test
    void budgetsReserveTheWorstCaseThenChargeTheActualCost() {
        QuotaStore store = store();
        QuotaCheck key = budget("key:a", "1", Period.DAILY, at(0));
        Reservation first = granted(store, demand(at(0), 0, usd("0.6"), key)).reservation();
        assertThat(usage(store, key, at(0)).reserved()).isEqualTo(usd("0.6"));
        assertThat(usage(store, key, at(0)).spent()).isEqualTo(Money.ZERO);

        Denial denial = denied(store, demand(at(1), 0, usd("0.6"), key)).denial();
        assertThat(denial.dimension()).isEqualTo(Dimension.BUDGET);
        assertThat(denial.limit()).isEqualTo(usd("1").nanos());
        assertThat(denial.used()).isZero();
        assertThat(denial.reserved()).isEqualTo(usd("0.6").nanos());
        assertThat(denial.retryAfter()).isNull();
        assertThat(denial.resetsAt()).isEqualTo(key.window().end());

        join(first.settle(0, usd("0.2"), at(2)));
        ScopeUsage usage = usage(store, key, at(2));
        assertThat(usage.spent()).isEqualTo(usd("0.2"));
        assertThat(usage.reserved()).isEqualTo(Money.ZERO);
        granted(store, demand(at(3), 0, usd("0.6"), key));
        denied(store, demand(at(3), 0, usd("0.3"), key));
    }

    @Test
    void aCostAboveTheReservationIsChargedInFull() {
        QuotaStore store = store();
        QuotaCheck key = budget("key:a", "1", Period.DAILY, at(0));
        Reservation reservation = granted(store, demand(at(0), 0, usd("0.1"), key)).reservation();
        join(reservation.settle(0, usd("1.5"), at(1)));
        assertThat(usage(store, key, at(1)).spent()).isEqualTo(usd("1.5"));
        denied(store, demand(at(2), 0, new Money(1), key));
    }

    @Test
    void reservationsExpireWithTheirLease() {
        QuotaStore store = store();
        QuotaCheck key = budget("key:a", "1", Period.DAILY, at(0));
        Duration ttl = Duration.ofSeconds(30);
        Reservation lost = granted(store, demand("a", at(0), 0, usd("1"), ttl, key)).reservation();
        denied(store, demand("b", at(29), 0, usd("0.5"), ttl, key));
        granted(store, demand("c", at(30), 0, usd("0.5"), ttl, key));
        // The late settlement still charges its cost (spend is never dropped) but releases nothing twice.
        join(lost.settle(0, usd("0.25"), at(31)));
        ScopeUsage usage = usage(store, key, at(31));
        assertThat(usage.spent()).isEqualTo(usd("0.25"));
        assertThat(usage.reserved()).isEqualTo(usd("0.5"));
    }

    @Test
    void aLifetimeBudgetNeverResets() {
        QuotaStore store = store();
        QuotaCheck key = budget("key:a", "1", Period.LIFETIME, at(0));
        Reservation reservation = granted(store, demand(at(0), 0, usd("1"), key)).reservation();
        join(reservation.settle(0, usd("1"), at(1)));
        Denial denial = denied(store, demand(at(2), 0, new Money(1), key)).denial();
        assertThat(denial.resetsAt()).isEqualTo(Instant.MAX);
    }

    @Test
    void alertThresholdsFireOncePerPeriod() {
        QuotaStore store = store();
        Budget budget = new Budget(usd("10"), Period.DAILY, List.of(0.5, 0.8, 1.0));
        QuotaCheck day1 = new QuotaCheck("team:t", Limits.NONE, budget, Period.DAILY.window(at(0), ZONE));

        assertThat(spend(store, day1, "4", at(0))).isEmpty();
        List<BudgetCrossing> crossed = spend(store, day1, "2", at(1));
        assertThat(crossed).singleElement().satisfies(c -> {
            assertThat(c.scope()).isEqualTo("team:t");
            assertThat(c.threshold()).isEqualTo(0.5);
            assertThat(c.spent()).isEqualTo(usd("6"));
            assertThat(c.limit()).isEqualTo(usd("10"));
            assertThat(c.window()).isEqualTo(day1.window());
        });
        assertThat(spend(store, day1, "1", at(2))).isEmpty();
        assertThat(spend(store, day1, "3", at(3))).extracting(BudgetCrossing::threshold).containsExactly(0.8, 1.0);
        assertThat(spend(store, day1, "1", at(4))).isEmpty();

        Instant nextDay = day1.window().end().plusSeconds(1);
        QuotaCheck day2 = new QuotaCheck("team:t", Limits.NONE, budget, Period.DAILY.window(nextDay, ZONE));
        assertThat(spend(store, day2, "5", nextDay)).extracting(BudgetCrossing::threshold).containsExactly(0.5);
    }

    @Test
    void aNewPeriodStartsFromZero() {
        QuotaStore store = store();
        Budget budget = new Budget(usd("1"), Period.DAILY, List.of());
        Instant lateDay1 = Period.DAILY.window(at(0), ZONE).end().minusSeconds(1);
        QuotaCheck day1 = new QuotaCheck("key:a", Limits.NONE, budget, Period.DAILY.window(lateDay1, ZONE));
        spend(store, day1, "0.9", lateDay1);
        denied(store, demand(lateDay1, 0, usd("0.5"), day1));

        Instant day2Start = day1.window().end();
        QuotaCheck day2 = new QuotaCheck("key:a", Limits.NONE, budget, Period.DAILY.window(day2Start, ZONE));
        assertThat(day2.window().start()).isEqualTo(day2Start);
        granted(store, demand(day2Start, 0, usd("0.5"), day2));
    }

    @Test
    void aSettlementAfterARolloverIsChargedToTheNewPeriod() {
        QuotaStore store = store();
        Budget budget = new Budget(usd("1"), Period.DAILY, List.of());
        Instant lateDay1 = Period.DAILY.window(at(0), ZONE).end().minusSeconds(1);
        QuotaCheck day1 = new QuotaCheck("key:a", Limits.NONE, budget, Period.DAILY.window(lateDay1, ZONE));
        Reservation reservation = granted(store, demand(lateDay1, 0, usd("0.5"), day1)).reservation();

        Instant day2Time = day1.window().end().plusSeconds(10);
        join(reservation.settle(0, usd("0.4"), day2Time));
        QuotaCheck day2 = new QuotaCheck("key:a", Limits.NONE, budget, Period.DAILY.window(day2Time, ZONE));
        assertThat(usage(store, day2, day2Time).spent()).isEqualTo(usd("0.4"));
        assertThat(usage(store, day2, day2Time).reserved()).isEqualTo(Money.ZERO);
        assertThat(usage(store, day1, lateDay1).spent()).isEqualTo(Money.ZERO);
    }

    @Test
    void seedKeepsTheLargerSpend() {
        QuotaStore store = store();
        QuotaCheck key = budget("key:a", "1", Period.MONTHLY, at(0));
        join(store.seed("key:a", key.window(), usd("0.7")));
        assertThat(usage(store, key, at(0)).spent()).isEqualTo(usd("0.7"));
        join(store.seed("key:a", key.window(), usd("0.5")));
        assertThat(usage(store, key, at(0)).spent()).isEqualTo(usd("0.7"));
        join(store.seed("key:a", key.window(), usd("0.9")));
        assertThat(usage(store, key, at(0)).spent()).isEqualTo(usd("0.9"));
        denied(store, demand(at(1), 0, usd("0.2"), key));
        granted(store, demand(at(1), 0, usd("0.1"), key));
    }

    @Test
    void aSecondSettlementIsIgnored() {
        QuotaStore store = store();
        QuotaCheck key = new QuotaCheck("key:a", new Limits(0, 0, 1),
                new Budget(usd("1"), Period.DAILY, List.of(0.5)), Period.DAILY.window(at(0), ZONE));
        Reservation reservation = granted(store, demand(at(0), 0, usd("0.6"), key)).reservation();
        assertThat(join(reservation.settle(0, usd("0.6"), at(1)))).hasSize(1);
        granted(store, demand(at(2), 0, usd("0.1"), key));
        assertThat(join(reservation.settle(0, usd("0.6"), at(3)))).isEmpty();
        ScopeUsage usage = usage(store, key, at(3));
        assertThat(usage.spent()).isEqualTo(usd("0.6"));
        assertThat(usage.concurrent()).isEqualTo(1);
        assertThat(usage.reserved()).isEqualTo(usd("0.1"));
    }

    // ---- several scopes ----

    @Test
    void aDenialOnOneScopeReservesNothingOnTheOthers() {
        QuotaStore store = store();
        QuotaCheck key = new QuotaCheck("key:a", new Limits(10, 1000, 5),
                new Budget(usd("5"), Period.DAILY, List.of()), Period.DAILY.window(at(0), ZONE));
        QuotaCheck team = limits("team:t", 1, 0, 0);
        granted(store, demand(at(0), team));

        Admission.Denied denied = denied(store, demand(at(1), 100, usd("1"), key, team));
        assertThat(denied.denial().scope()).isEqualTo("team:t");
        ScopeUsage usage = usage(store, key, at(1));
        assertThat(usage.requests()).isZero();
        assertThat(usage.tokens()).isZero();
        assertThat(usage.concurrent()).isZero();
        assertThat(usage.reserved()).isEqualTo(Money.ZERO);
    }

    @Test
    void theFirstRefusingScopeInCheckOrderIsReported() {
        QuotaStore store = store();
        QuotaCheck user = limits("user:k:u", 1, 0, 0);
        QuotaCheck key = limits("key:k", 1, 0, 0);
        granted(store, demand(at(0), user, key));
        assertThat(denied(store, demand(at(1), user, key)).denial().scope()).isEqualTo("user:k:u");
        assertThat(denied(store, demand(at(1), key, user)).denial().scope()).isEqualTo("key:k");
    }

    @Test
    void headersReportTheScopeWithTheLeastRemaining() {
        QuotaStore store = store();
        QuotaCheck key = limits("key:a", 10, 1000, 0);
        QuotaCheck team = limits("team:t", 5, 0, 0);
        Admission.Granted granted = granted(store, demand(at(0), 100, Money.ZERO, key, team));
        RateHeaders headers = granted.headers();
        assertThat(headers.limitRequests()).isEqualTo(5);
        assertThat(headers.remainingRequests()).isEqualTo(4);
        assertThat(headers.resetRequests()).isEqualTo(Duration.ofSeconds(65));
        assertThat(headers.limitTokens()).isEqualTo(1000);
        assertThat(headers.remainingTokens()).isEqualTo(900);
        assertThat(headers.resetTokens()).isEqualTo(Duration.ofSeconds(65));

        for (int i = 0; i < 4; i++) {
            granted(store, demand(at(10), 100, Money.ZERO, key, team));
        }
        RateHeaders onDenial = denied(store, demand(at(20), 100, Money.ZERO, key, team)).headers();
        assertThat(onDenial.limitRequests()).isEqualTo(5);
        assertThat(onDenial.remainingRequests()).isZero();
        assertThat(onDenial.resetRequests()).isEqualTo(Duration.ofSeconds(45));
        assertThat(onDenial.remainingTokens()).isEqualTo(500);
    }

    @Test
    void unlimitedScopesGrantWithoutHeaders() {
        QuotaStore store = store();
        Admission.Granted granted = granted(store, demand(at(0), limits("key:a", 0, 0, 0)));
        assertThat(granted.headers()).isEqualTo(RateHeaders.NONE);
        assertThat(granted(store, demand(at(0))).headers()).isEqualTo(RateHeaders.NONE);
        assertThat(usage(store, limits("key:a", 0, 0, 0), at(0)).requests()).isEqualTo(1);
    }

    // ---- helpers ----

    protected static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    protected static Instant atMillis(long millis) {
        return T0.plusMillis(millis);
    }

    protected static Money usd(String amount) {
        return Money.ofUsd(amount);
    }

    protected static QuotaCheck limits(String scope, long rpm, long tpm, int concurrent) {
        return new QuotaCheck(scope, new Limits(rpm, tpm, concurrent), null, null);
    }

    protected static QuotaCheck budget(String scope, String usd, Period period, Instant now) {
        return new QuotaCheck(scope, Limits.NONE, new Budget(usd(usd), period, List.of()), period.window(now, ZONE));
    }

    protected final Demand demand(Instant now, QuotaCheck... checks) {
        return demand(now, 0, Money.ZERO, checks);
    }

    protected final Demand demand(Instant now, long tokens, Money cost, QuotaCheck... checks) {
        return demand("req-" + requestIds++, now, tokens, cost, TTL, checks);
    }

    protected static Demand demand(String id, Instant now, long tokens, Money cost, Duration ttl,
                                   QuotaCheck... checks) {
        return new Demand(id, List.of(checks), tokens, cost, now, ttl);
    }

    /** Admits a demand for {@code cost} and settles it at once for the same cost. */
    private List<BudgetCrossing> spend(QuotaStore store, QuotaCheck check, String cost, Instant now) {
        Reservation reservation = granted(store, demand(now, 0, Money.ZERO, check)).reservation();
        return join(reservation.settle(0, usd(cost), now));
    }

    protected static Admission.Granted granted(QuotaStore store, Demand demand) {
        Admission admission = join(store.admit(demand));
        assertThat(admission).as("admission at %s", demand.now()).isInstanceOf(Admission.Granted.class);
        return (Admission.Granted) admission;
    }

    protected static Admission.Denied denied(QuotaStore store, Demand demand) {
        Admission admission = join(store.admit(demand));
        assertThat(admission).as("admission at %s", demand.now()).isInstanceOf(Admission.Denied.class);
        return (Admission.Denied) admission;
    }

    protected static ScopeUsage usage(QuotaStore store, QuotaCheck check, Instant now) {
        return join(store.usage(check, now));
    }

    protected static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
