package dev.tollgate.server.store;

import static dev.tollgate.server.store.SpendRows.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.PerUser;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.ledger.ArmTotals;
import dev.tollgate.core.ledger.GroupBy;
import dev.tollgate.core.ledger.KeyStore;
import dev.tollgate.core.ledger.ReportQuery;
import dev.tollgate.core.ledger.ReportRow;
import dev.tollgate.core.ledger.SpendRow;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.Period;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationQuery;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluationStore;
import dev.tollgate.server.testing.EvaluationResults;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.FeedbackScore;
import dev.tollgate.core.quality.QualityStore;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewQuery;
import dev.tollgate.core.quality.ReviewRecord;
import dev.tollgate.core.quality.ReviewSample;
import dev.tollgate.core.quality.ReviewText;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What every ledger database must do; subclasses give a fresh database for each test. */
@Timeout(30)
abstract class LedgerContractTest {
    static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
    static final Instant ALL_FROM = Instant.parse("2020-01-01T00:00:00Z");
    static final Instant ALL_TO = Instant.parse("2040-01-01T00:00:00Z");

    @TempDir
    Path spillDir;

    final CountingListener listener = new CountingListener();
    private final List<JdbcLedger> opened = new ArrayList<>();

    /** The database under test; the same string for every call within one test. */
    abstract String target();

    /** Makes {@link #target()} an empty database. */
    abstract void emptyDatabase() throws Exception;

    @BeforeEach
    void freshDatabase() throws Exception {
        emptyDatabase();
    }

    @AfterEach
    void closeLedgers() {
        opened.forEach(JdbcLedger::close);
    }

    JdbcLedger open() {
        JdbcLedger ledger = JdbcLedger.open(target(), spillDir, 1 << 20, listener, LedgerTuning.DEFAULTS);
        opened.add(ledger);
        return ledger;
    }

    static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    static List<ReportRow> report(JdbcLedger ledger, GroupBy groupBy) {
        return await(ledger.report(new ReportQuery(ALL_FROM, ALL_TO, groupBy, null, null)));
    }

    @Test
    void aRequestIdIsWrittenOnceHoweverOftenItIsRecorded() {
        JdbcLedger ledger = open();
        ledger.record(row("req-1", T0, "k1", "t1", 1_000));
        ledger.record(row("req-1", T0, "k1", "t1", 5_000)); // a retry of the same request: ignored
        ledger.flush();
        ledger.record(row("req-1", T0, "k1", "t1", 7_000)); // and again in a later batch
        ledger.flush();

        assertThat(report(ledger, GroupBy.KEY))
                .containsExactly(new ReportRow("k1", 1, 0, 100, 20, 10, 5, new Money(1_000), 0, 0));
    }

    @Test
    void reportsSumEachGroupBiggestCostFirstAndCountFailuresEstimatesAndCacheHits() {
        JdbcLedger ledger = open();
        ledger.record(row("a1", T0, "alpha", "red", 100));
        ledger.record(row("a2", T0.plusSeconds(1), "alpha", "red", 200));
        ledger.record(row("b1", T0, "beta", "red", 1_000));
        ledger.record(row("c1", T0, "gamma", "blue", 300));
        ledger.record(row("c2", T0, "gamma", "blue", 0)); // free, and still a request
        ledger.record(new SpendRow("open-1", T0, null, null, null, "chat", null, null, null, Usage.UNKNOWN,
                Money.ZERO, false, Outcome.CALLER_ERROR, 400, false, false, 3, null, null, null, null));
        ledger.record(SpendRows.unusual("odd-1", T0));
        ledger.flush();

        assertThat(report(ledger, GroupBy.KEY)).containsExactly(
                new ReportRow("beta", 1, 0, 100, 20, 10, 5, new Money(1_000), 0, 0),
                new ReportRow("k-odd", 1, 1, 7, 3, 1, 1, new Money(999), 1, 1),
                // equal costs: by name
                new ReportRow("alpha", 2, 0, 200, 40, 20, 10, new Money(300), 0, 0),
                new ReportRow("gamma", 2, 0, 200, 40, 20, 10, new Money(300), 0, 0),
                new ReportRow(null, 1, 1, 0, 0, 0, 0, Money.ZERO, 0, 0));
        assertThat(report(ledger, GroupBy.TEAM)).extracting(ReportRow::group, ReportRow::requests)
                .containsExactly(tuple("red", 3L), tuple("t-odd", 1L), tuple("blue", 2L), tuple(null, 1L));
        assertThat(report(ledger, GroupBy.USER)).extracting(ReportRow::group)
                .containsExactly("user-1", "user\uFFFDwith nul", null);
        assertThat(report(ledger, GroupBy.MODEL)).extracting(ReportRow::group)
                .containsExactly("gpt-4o-mini", "claude", null);
        assertThat(report(ledger, GroupBy.DEPLOYMENT)).extracting(ReportRow::group)
                .containsExactly("gpt-4o-mini/openai", "claude/anthropic", null);

        assertThat(await(ledger.report(new ReportQuery(ALL_FROM, ALL_TO, GroupBy.KEY, null, "red"))))
                .extracting(ReportRow::group).containsExactly("beta", "alpha");
        assertThat(await(ledger.report(new ReportQuery(ALL_FROM, ALL_TO, GroupBy.TEAM, "alpha", null))))
                .extracting(ReportRow::group, ReportRow::cost).containsExactly(tuple("red", new Money(300)));
        assertThat(await(ledger.report(new ReportQuery(ALL_FROM, ALL_TO, GroupBy.TEAM, "alpha", "blue")))).isEmpty();
        // from is inclusive, to exclusive: a2 (at T0 + 1 s) alone
        assertThat(await(ledger.report(new ReportQuery(T0.plusSeconds(1), T0.plusSeconds(2), GroupBy.KEY, null,
                null)))).extracting(ReportRow::group, ReportRow::cost).containsExactly(tuple("alpha", new Money(200)));
        assertThat(await(ledger.report(new ReportQuery(T0.minusSeconds(5), T0.plusSeconds(1), GroupBy.KEY, "alpha",
                null)))).extracting(ReportRow::requests).containsExactly(1L);
    }

    @Test
    void daysAreUtcCalendarDaysAcrossMidnight() {
        JdbcLedger ledger = open();
        Instant midnight = Instant.parse("2026-03-11T00:00:00Z");
        ledger.record(row("late", midnight.minusMillis(1), "k", "t", 10));
        ledger.record(row("later", midnight.minusSeconds(3600), "k", "t", 20));
        ledger.record(row("early", midnight, "k", "t", 5));
        ledger.flush();

        assertThat(report(ledger, GroupBy.DAY)).extracting(ReportRow::group, ReportRow::requests, ReportRow::cost)
                .containsExactly(tuple("2026-03-10", 2L, new Money(30)), tuple("2026-03-11", 1L, new Money(5)));
        // A budget rebuilt from the start of the day counts only that day's rows.
        assertThat(await(ledger.report(new ReportQuery(midnight, Instant.MAX, GroupBy.KEY, null, null))))
                .extracting(ReportRow::cost).containsExactly(new Money(5));
        assertThat(await(ledger.report(new ReportQuery(Instant.EPOCH, Instant.MAX, GroupBy.KEY, null, null))))
                .extracting(ReportRow::cost).containsExactly(new Money(35));
    }

    @Test
    void closeWritesQueuedRowsAndANewLedgerOnTheSameDatabaseSeesThem() {
        JdbcLedger first = open();
        for (int i = 0; i < 1_200; i++) { // more than two batches
            first.record(row("r" + i, T0.plusMillis(i), "k" + (i % 3), "t", i));
        }
        first.close(); // no flush: close writes what is queued
        assertThat(listener.written.get()).isEqualTo(1_200);
        first.record(row("after-close", T0, "k0", "t", 1)); // neither throws nor blocks
        assertThat(listener.lost.get()).isEqualTo(1);

        JdbcLedger second = open();
        List<ReportRow> rows = report(second, GroupBy.KEY);
        assertThat(rows).extracting(ReportRow::requests).containsExactly(400L, 400L, 400L);
        assertThat(rows.stream().mapToLong(r -> r.cost().nanos()).sum()).isEqualTo(1_199L * 1_200 / 2);
        second.flush(); // nothing queued: returns at once
    }

    @Test
    void flushReturnsOnceEveryEarlierRowIsReadable() {
        JdbcLedger ledger = open();
        for (int round = 1; round <= 5; round++) {
            for (int i = 0; i < 50; i++) {
                ledger.record(row(round + "-" + i, T0, "k", "t", 1));
            }
            ledger.flush();
            assertThat(report(ledger, GroupBy.KEY)).extracting(ReportRow::requests).containsExactly(round * 50L);
        }
        assertThat(listener.spilled.get()).isZero();
        assertThat(listener.errors.get()).isZero();
    }

    @Test
    void keyStoreRoundTripsEveryFieldAndRefusesATakenNameOrHash() {
        JdbcLedger ledger = open();
        KeyStore keys = ledger.keys();
        VirtualKey full = new VirtualKey("full", KeyHash.of("tg-full"), "support", Instant.parse(
                "2026-03-10T12:00:00.123456789Z"), Instant.parse("2027-01-01T00:00:00Z"), false,
                Set.of("gpt-4o", "claude-*"), Set.of("chat", "embeddings"), Map.of("owner", "ops", "tier", "gold"),
                new Limits(60, 100_000, 4), new Budget(Money.ofUsd("12.345678901"), Period.MONTHLY,
                List.of(0.5, 0.8, 1.0)), new PerUser(new Limits(10, 0, 1), new Budget(Money.ofUsd("2"),
                Period.DAILY, List.of())), VirtualKey.Source.ADMIN_API);
        VirtualKey bare = new VirtualKey("bare", KeyHash.of("tg-bare"), null, Instant.parse("2026-03-10T13:00:00Z"),
                null, true, Set.of(), Set.of(), Map.of(), Limits.NONE, null, new PerUser(Limits.NONE, null),
                VirtualKey.Source.ADMIN_API);
        VirtualKey plain = new VirtualKey("plain", KeyHash.of("tg-plain"), "t", Instant.parse(
                "2026-03-10T13:00:00.5Z"), null, false, Set.of(), Set.of(), Map.of(), Limits.NONE, null, null,
                VirtualKey.Source.ADMIN_API);
        await(keys.create(plain));
        await(keys.create(bare));
        await(keys.create(full));

        assertThat(await(keys.all())).containsExactly(full, bare, plain);

        VirtualKey sameName = new VirtualKey("full", KeyHash.of("tg-other"), null, T0, null, false, Set.of(),
                Set.of(), Map.of(), Limits.NONE, null, null, VirtualKey.Source.ADMIN_API);
        VirtualKey sameHash = new VirtualKey("other", full.hash(), null, T0, null, false, Set.of(), Set.of(),
                Map.of(), Limits.NONE, null, null, VirtualKey.Source.ADMIN_API);
        for (VirtualKey taken : List.of(sameName, sameHash)) {
            assertThatThrownBy(() -> await(keys.create(taken))).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining(taken.name());
        }
        VirtualKey fromConfig = new VirtualKey("cfg", KeyHash.of("tg-cfg"), null, T0, null, false, Set.of(),
                Set.of(), Map.of(), Limits.NONE, null, null, VirtualKey.Source.CONFIG);
        assertThatThrownBy(() -> await(keys.create(fromConfig))).cause().isInstanceOf(IllegalArgumentException.class);

        assertThat(await(keys.setDisabled("full", true))).isTrue();
        assertThat(await(keys.setDisabled("bare", false))).isTrue();
        assertThat(await(keys.setDisabled("nobody", true))).isFalse();
        assertThat(await(keys.all())).containsExactly(full.disabled(true), bare.disabled(false), plain);

        ledger.close();
        assertThat(await(open().keys().all())).containsExactly(full.disabled(true), bare.disabled(false), plain);
    }

    @Test
    void aSecondOpenOnTheSameSchemaMigratesNothingAndKeepsData() {
        JdbcLedger first = open();
        first.record(row("kept", T0, "k", "t", 7));
        first.close();
        JdbcLedger second = open();
        JdbcLedger third = JdbcLedger.open(target(), spillDir.resolve("other"), 1 << 20, LedgerListener.NONE,
                LedgerTuning.DEFAULTS);
        opened.add(third);
        assertThat(report(second, GroupBy.KEY)).extracting(ReportRow::cost).containsExactly(new Money(7));
        assertThat(report(third, GroupBy.KEY)).extracting(ReportRow::cost).containsExactly(new Money(7));
    }

    @Test
    void aSpillDirectoryServesOneLedgerAtATime() {
        open();
        assertThatThrownBy(() -> JdbcLedger.open(target(), spillDir, 1 << 20, LedgerListener.NONE,
                new LedgerTuning(10, 10, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("spill file");
    }

    static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }

    private static final RequestFacts RATED = new RequestFacts("req-a", "req-a", T0, "k1", "t1", "gpt-4o-mini", null,
            null, null);
    private static final RequestFacts OTHER = new RequestFacts("client-odd", "odd-1", T0, "k-odd", "t-odd", "claude",
            "premium", "canary/claude", null);

    private static ReviewQuery everything() {
        return new ReviewQuery(null, null, ALL_FROM, ALL_TO, 100);
    }

    @Test
    void experimentArmsSumTheirRowsAndTheFeedbackOnThem() {
        JdbcLedger ledger = open();
        ledger.record(SpendRows.inExperiment("a1", T0, "a", Outcome.SUCCESS, 100, 1_000));
        ledger.record(SpendRows.inExperiment("a2", T0, "a", Outcome.PROVIDER_ERROR, 300, 0));
        ledger.record(SpendRows.inExperiment("a3", T0, "a", Outcome.POLICY_DENIED, 2, 0)); // not the arm's doing
        ledger.record(SpendRows.inExperiment("b1", T0, "b", Outcome.SUCCESS, 50, 2_000));
        ledger.record(SpendRows.inExperiment("b-old", T0.minusSeconds(3600), "b", Outcome.SUCCESS, 9, 9));
        ledger.record(row("outside", T0, "k", "t", 5)); // in no experiment
        ledger.flush();
        QualityStore quality = ledger.quality();
        RequestFacts a1 = await(quality.findRequest("a1", "k"));
        await(quality.saveFeedback(new Feedback(a1, T0.plusSeconds(5), new FeedbackScore.Stars(5), null)));
        RequestFacts a2 = await(quality.findRequest("a2", "k"));
        await(quality.saveFeedback(new Feedback(a2, T0.plusSeconds(5), new FeedbackScore.Thumbs(false), null)));

        List<ArmTotals> arms = await(ledger.experiment("tone", T0.minusSeconds(60)));
        assertThat(arms).extracting(ArmTotals::arm).containsExactly("a", "b");
        ArmTotals a = arms.getFirst();
        assertThat(a.requests()).isEqualTo(3);
        assertThat(a.errors()).isEqualTo(1);
        // The refused request took no time of the arm's: its 2 ms would pull the latency down, and it is no
        // request the arm handled for the error rate either.
        assertThat(a.handled()).isEqualTo(2);
        assertThat(a.latency()).isEqualTo(new ArmTotals.Moments(2, 400, 100 * 100 + 300 * 300));
        assertThat(a.latencyMaxMillis()).isEqualTo(300);
        assertThat(a.inputTokens()).isEqualTo(300);
        assertThat(a.outputTokens()).isEqualTo(60);
        assertThat(a.cost()).isEqualTo(new Money(1_000));
        assertThat(a.feedback()).isEqualTo(new ArmTotals.Moments(2, 1, 1));
        ArmTotals b = arms.get(1);
        assertThat(b.requests()).isEqualTo(1);
        assertThat(b.feedback()).isEqualTo(ArmTotals.Moments.NONE);
        assertThat(await(ledger.experiment("tone", ALL_FROM))).extracting(ArmTotals::requests).containsExactly(3L, 2L);
        assertThat(await(ledger.experiment("other", ALL_FROM))).isEmpty();
    }

    @Test
    void aRatedRequestIsFoundByEitherIdButOnlyForItsOwnKey() {
        JdbcLedger ledger = open();
        ledger.record(row("req-a", T0, "k1", "t1", 100));
        ledger.record(SpendRows.unusual("odd-1", T0)); // the client chose its id: client-odd
        ledger.record(new SpendRow("open-1", T0, null, null, null, "chat", "m", "m/mock", "mock", Usage.UNKNOWN,
                Money.ZERO, false, Outcome.SUCCESS, 200, false, false, 3, null, null, null, null));
        ledger.record(new SpendRow("emb-1", T0, "k1", null, null, "embeddings", "e", "e/mock", "mock", Usage.UNKNOWN,
                Money.ZERO, false, Outcome.SUCCESS, 200, false, false, 3, null, null, null, null));
        ledger.flush();
        QualityStore quality = ledger.quality();

        assertThat(await(quality.findRequest("req-a", "k1"))).isEqualTo(RATED);
        assertThat(await(quality.findRequest("client-odd", "k-odd"))).isEqualTo(OTHER);
        assertThat(await(quality.findRequest("open-1", null)).model()).isEqualTo("m");
        // Another key's request, a key's request asked for without a key, an unknown id, and no chat at all.
        assertThat(await(quality.findRequest("req-a", "k2"))).isNull();
        assertThat(await(quality.findRequest("req-a", null))).isNull();
        assertThat(await(quality.findRequest("open-1", "k1"))).isNull();
        assertThat(await(quality.findRequest("odd-1-x", "k-odd"))).isNull();
        assertThat(await(quality.findRequest("emb-1", "k1"))).isNull();
    }

    @Test
    void theLatestFeedbackOnARequestWinsAndListingsFilterNewestFirst() {
        QualityStore quality = open().quality();
        await(quality.saveFeedback(new Feedback(RATED, T0.plusSeconds(10), new FeedbackScore.Stars(2), "meh")));
        await(quality.saveFeedback(new Feedback(OTHER, T0.plusSeconds(15), new FeedbackScore.Stars(5), "great")));
        var latest = new Feedback(RATED, T0.plusSeconds(20), new FeedbackScore.Thumbs(true), null);
        await(quality.saveFeedback(latest));

        assertThat(await(quality.feedback(everything()))).containsExactly(latest,
                new Feedback(OTHER, T0.plusSeconds(15), new FeedbackScore.Stars(5), "great"));
        assertThat(await(quality.feedback(new ReviewQuery("claude", null, ALL_FROM, ALL_TO, 10))))
                .extracting(f -> f.request().spendId()).containsExactly("odd-1");
        assertThat(await(quality.feedback(new ReviewQuery(null, "k1", ALL_FROM, ALL_TO, 10)))).containsExactly(latest);
        assertThat(await(quality.feedback(new ReviewQuery(null, null, T0.plusSeconds(16), ALL_TO, 10))))
                .containsExactly(latest);
        assertThat(await(quality.feedback(new ReviewQuery(null, null, ALL_FROM, T0.plusSeconds(20), 10))))
                .extracting(f -> f.request().spendId()).containsExactly("odd-1");
        assertThat(await(quality.feedback(new ReviewQuery(null, null, ALL_FROM, ALL_TO, 1)))).containsExactly(latest);
    }

    /**
     * Two ratings of one request may be written out of order (the ledger's reader threads run in parallel, and
     * replicas share the database): the one given last wins, not the one written last.
     */
    @Test
    void anOlderRatingWrittenLateDoesNotReplaceANewerOne() {
        QualityStore quality = open().quality();
        var newer = new Feedback(RATED, T0.plusSeconds(20), new FeedbackScore.Stars(5), "fixed now");
        await(quality.saveFeedback(newer));
        await(quality.saveFeedback(new Feedback(RATED, T0.plusSeconds(10), new FeedbackScore.Stars(1), "broken")));

        assertThat(await(quality.feedback(everything()))).containsExactly(newer);
    }

    @Test
    void reviewSamplesAreKeptOnceListedWithTheirFeedbackAndPrunedByAge() throws Exception {
        QualityStore quality = open().quality();
        var old = new ReviewSample(OTHER, "claude/anthropic", Usage.reported(7, 3), new Money(999), 1234, true,
                new ReviewText("user: hi [EMAIL]\u0000", false, 1), new ReviewText("hello", true, 0));
        var recent = new ReviewSample(new RequestFacts("req-b", "req-b", T0.plusSeconds(60), "k1", "t1",
                "gpt-4o-mini", null, null, null), "gpt-4o-mini/openai", Usage.reported(1, 2), Money.ZERO, 5, false,
                new ReviewText("user: yo", false, 0), ReviewText.EMPTY);
        quality.saveReviews(List.of(old, recent));
        quality.saveReviews(List.of(old)); // again: kept once
        var rating = new Feedback(OTHER, T0.plusSeconds(5), new FeedbackScore.Stars(4), "ok");
        await(quality.saveFeedback(rating));

        List<ReviewRecord> all = await(quality.reviews(everything()));
        assertThat(all).extracting(r -> r.sample().request().spendId()).containsExactly("req-b", "odd-1");
        assertThat(all.get(0).feedback()).isNull();
        assertThat(all.get(1).feedback()).isEqualTo(rating);
        // Read back exactly, but for the NUL that PostgreSQL cannot hold and the usage flag (stored are counts).
        ReviewSample back = all.get(1).sample();
        assertThat(back.prompt()).isEqualTo(new ReviewText("user: hi [EMAIL]\uFFFD", false, 1));
        assertThat(back.answer()).isEqualTo(old.answer());
        assertThat(back.request()).isEqualTo(OTHER);
        assertThat(back).extracting(ReviewSample::deployment, ReviewSample::cost, ReviewSample::latencyMillis,
                ReviewSample::stream).containsExactly("claude/anthropic", new Money(999), 1234L, true);
        assertThat(back.usage().inputTokens()).isEqualTo(7);
        assertThat(await(quality.reviews(new ReviewQuery("gpt-4o-mini", null, ALL_FROM, ALL_TO, 10))))
                .extracting(r -> r.sample().request().spendId()).containsExactly("req-b");
        assertThat(await(quality.reviews(new ReviewQuery(null, "k-odd", ALL_FROM, ALL_TO, 10))))
                .extracting(r -> r.sample().request().spendId()).containsExactly("odd-1");

        assertThat(await(quality.pruneReviews(T0.plusSeconds(30)))).isEqualTo(1);
        assertThat(await(quality.reviews(everything()))).extracting(r -> r.sample().request().spendId())
                .containsExactly("req-b");
    }

    private static EvaluationQuery evaluations(String evaluator, String model, EvalOutcome outcome, Double min,
                                               Double max, Boolean flagged) {
        return new EvaluationQuery(evaluator, model, outcome, min, max, flagged, ALL_FROM, ALL_TO, 100);
    }

    private static List<String> ids(List<EvaluationResult> results) {
        return results.stream().map(r -> r.request().spendId()).toList();
    }

    @Test
    void evaluationResultsAreReadBackWholeNewestFirstAndEveryFilterNarrowsThem() throws Exception {
        EvaluationStore store = open().evaluations();
        EvaluationResult unusual = EvaluationResults.unusual("e-odd", T0.plusSeconds(40));
        store.saveEvaluations(List.of(
                EvaluationResults.scored("e-low", T0.plusSeconds(10), "faith", "gpt-4o", 0.25),
                EvaluationResults.scored("e-high", T0.plusSeconds(20), "faith", "gpt-4o", 1.0),
                EvaluationResults.unparseable("e-none", T0.plusSeconds(30), "tox", "gpt-4o"),
                unusual,
                EvaluationResults.scored("e-zero", T0.plusSeconds(50), "tox", "claude", 0.0)));
        store.saveEvaluations(List.of()); // nothing to do, and no failure

        assertThat(ids(await(store.evaluations(evaluations(null, null, null, null, null, null)))))
                .containsExactly("e-zero", "e-odd", "e-none", "e-high", "e-low");
        // Every field comes back, but the NUL PostgreSQL cannot hold; an absent score stays absent.
        EvaluationResult back = await(store.evaluations(evaluations("stable", null, null, null, null, null)))
                .getFirst();
        assertThat(back).isEqualTo(new EvaluationResult(unusual.request(), unusual.at(), unusual.evaluator(),
                unusual.kind(), unusual.rubric(), unusual.outcome(), unusual.score(), unusual.flagged(),
                "similarity 0.12 \u00e9\uFFFD", unusual.prompt(), unusual.answer(), unusual.cost(), unusual.detail()));
        EvaluationResult none = await(store.evaluations(evaluations("tox", "gpt-4o", null, null, null, null)))
                .getFirst();
        assertThat(none).isEqualTo(EvaluationResults.unparseable("e-none", T0.plusSeconds(30), "tox", "gpt-4o"));
        assertThat(none.score()).isNull();

        assertThat(ids(await(store.evaluations(evaluations("faith", null, null, null, null, null)))))
                .containsExactly("e-high", "e-low");
        assertThat(ids(await(store.evaluations(evaluations(null, "claude", null, null, null, null)))))
                .containsExactly("e-zero", "e-odd");
        assertThat(ids(await(store.evaluations(evaluations(null, null, EvalOutcome.UNPARSEABLE, null, null, null)))))
                .containsExactly("e-none");
        // Bounds are inclusive and leave out results without a score.
        assertThat(ids(await(store.evaluations(evaluations(null, null, null, 0.25, null, null)))))
                .containsExactly("e-high", "e-low");
        assertThat(ids(await(store.evaluations(evaluations(null, null, null, null, 0.25, null)))))
                .containsExactly("e-zero", "e-odd", "e-low");
        assertThat(ids(await(store.evaluations(evaluations(null, null, null, 0.1, 0.3, null)))))
                .containsExactly("e-odd", "e-low");
        assertThat(ids(await(store.evaluations(evaluations(null, null, null, null, null, true)))))
                .containsExactly("e-zero", "e-odd", "e-low");
        assertThat(ids(await(store.evaluations(evaluations(null, null, null, null, null, false)))))
                .containsExactly("e-none", "e-high");
        assertThat(ids(await(store.evaluations(evaluations("faith", "gpt-4o", EvalOutcome.SCORED, 0.5, 1.0, false)))))
                .containsExactly("e-high");
        // A filter that holds SQL is a value like any other.
        assertThat(await(store.evaluations(evaluations("x' OR '1'='1", null, null, null, null, null)))).isEmpty();

        // Paging: since is inclusive, before exclusive, limit caps.
        assertThat(ids(await(store.evaluations(new EvaluationQuery(null, null, null, null, null, null,
                T0.plusSeconds(20), T0.plusSeconds(40), 100))))).containsExactly("e-none", "e-high");
        assertThat(ids(await(store.evaluations(new EvaluationQuery(null, null, null, null, null, null, ALL_FROM,
                ALL_TO, 2))))).containsExactly("e-zero", "e-odd");
        assertThat(ids(await(store.evaluations(new EvaluationQuery(null, null, null, null, null, null, ALL_FROM,
                Instant.MAX, 1))))).containsExactly("e-zero");
    }

    @Test
    void resultsSharingAMillisecondListInOneOrderAndAreNotUniquePerRequest() throws Exception {
        EvaluationStore store = open().evaluations();
        Instant at = T0.plusNanos(123_456_789); // kept to the millisecond
        store.saveEvaluations(List.of(EvaluationResults.scored("b", at, "z", "m", 0.5),
                EvaluationResults.scored("a", at, "z", "m", 0.5), EvaluationResults.scored("a", at, "y", "m", 0.5)));
        store.saveEvaluations(List.of(EvaluationResults.scored("a", at, "y", "m", 0.5))); // a bias run again
        List<EvaluationResult> all = await(store.evaluations(evaluations(null, null, null, null, null, null)));
        assertThat(all).extracting(r -> r.request().spendId() + "/" + r.evaluator())
                .containsExactly("a/y", "a/y", "a/z", "b/z");
        assertThat(all.getFirst().at()).isEqualTo(Instant.parse("2026-03-10T12:00:00.123Z"));
    }

    @Test
    void evaluationResultsArePrunedByAge() throws Exception {
        EvaluationStore store = open().evaluations();
        store.saveEvaluations(List.of(EvaluationResults.scored("old", T0, "faith", "m", 0.5),
                EvaluationResults.scored("edge", T0.plusSeconds(60), "faith", "m", 0.5),
                EvaluationResults.scored("new", T0.plusSeconds(120), "faith", "m", 0.5)));
        assertThat(await(store.pruneEvaluations(T0.plusSeconds(60)))).isEqualTo(1);
        assertThat(await(store.pruneEvaluations(T0.plusSeconds(60)))).isZero();
        assertThat(ids(await(store.evaluations(evaluations(null, null, null, null, null, null)))))
                .containsExactly("new", "edge");
    }

    @Test
    void aBatchTheDatabaseRefusesInPartLeavesNothingBehind() throws Exception {
        JdbcLedger ledger = open();
        EvaluationStore store = ledger.evaluations();
        try (LedgerDatabase database = LedgerDatabase.open(LedgerTarget.parse(target()), Duration.ofSeconds(5));
                Connection c = database.connection(); Statement s = c.createStatement()) {
            // The batch's second row breaks a constraint the test adds: the first must not stay either.
            s.execute("CREATE UNIQUE INDEX evaluation_test_unique ON evaluation (spend_id)");
            assertThatThrownBy(() -> store.saveEvaluations(List.of(
                    EvaluationResults.scored("one", T0, "faith", "m", 0.5),
                    EvaluationResults.scored("one", T0, "tox", "m", 0.5)))).isInstanceOf(Exception.class);
            s.execute("DROP INDEX evaluation_test_unique");
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM evaluation")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
        store.saveEvaluations(List.of(EvaluationResults.scored("one", T0, "faith", "m", 0.5)));
        assertThat(ids(await(store.evaluations(evaluations(null, null, null, null, null, null)))))
                .containsExactly("one");
    }

    /**
     * A version 3 database (what the release before evaluation made, with the spend indexes over every row that
     * versions before 5 had) gains the evaluation table and the partial indexes, and keeps its rows.
     */
    @Test
    void aVersionThreeDatabaseIsMigratedToTheCurrentVersionAndKeepsItsRows() throws Exception {
        JdbcLedger first = open();
        first.record(SpendRows.inExperiment("kept", T0, "a", Outcome.SUCCESS, 10, 1_000));
        first.flush();
        first.quality().saveReviews(List.of(new ReviewSample(RATED, "d", Usage.reported(1, 1), Money.ZERO, 1, false,
                new ReviewText("p", false, 0), new ReviewText("a", false, 0))));
        first.close();
        try (LedgerDatabase database = LedgerDatabase.open(LedgerTarget.parse(target()), Duration.ofSeconds(5));
                Connection c = database.connection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE evaluation"); // its indexes go with it: the shape version 3 left
            for (String index : List.of("spend_key_at", "spend_team_at", "spend_client_request", "spend_experiment")) {
                s.execute("DROP INDEX " + index);
            }
            s.execute("CREATE INDEX spend_key_at ON spend (key_name, at_ms)");
            s.execute("CREATE INDEX spend_team_at ON spend (team, at_ms)");
            s.execute("CREATE INDEX spend_client_request ON spend (client_request_id)");
            s.execute("CREATE INDEX spend_experiment ON spend (experiment, experiment_arm)");
            s.execute("CREATE INDEX spend_prompt ON spend (prompt_id, prompt_version)");
            s.execute("UPDATE tollgate_schema SET version = 3");
        }

        JdbcLedger second = open();
        assertThat(await(second.quality().findRequest("kept", "k")).prompt().arm()).isEqualTo("a");
        assertThat(await(second.quality().reviews(everything()))).hasSize(1);
        assertThat(await(second.experiment("tone", ALL_FROM))).extracting(ArmTotals::arm).containsExactly("a");
        second.evaluations().saveEvaluations(List.of(EvaluationResults.scored("kept", T0, "faith", "m", 0.75)));
        assertThat(ids(await(second.evaluations().evaluations(evaluations(null, null, null, null, null, null)))))
                .containsExactly("kept");
        assertSpendIndexesArePartial();
        try (LedgerDatabase database = LedgerDatabase.open(LedgerTarget.parse(target()), Duration.ofSeconds(5));
                Connection c = database.connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM tollgate_schema")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(LedgerSchema.CURRENT).isEqualTo(5);
            assertThat(rs.next()).isFalse();
        }
    }

    /** A new database's spend indexes skip rows without the indexed value: see LedgerSchema's version 5. */
    @Test
    void spendIndexesHoldOnlyRowsWithTheIndexedValue() throws Exception {
        open().close();
        assertSpendIndexesArePartial();
    }

    private void assertSpendIndexesArePartial() throws Exception {
        try (LedgerDatabase database = LedgerDatabase.open(LedgerTarget.parse(target()), Duration.ofSeconds(5));
                Connection c = database.connection(); Statement s = c.createStatement()) {
            Map<String, String> partial = Map.of("spend_key_at", "key_name", "spend_team_at", "team",
                    "spend_client_request", "client_request_id", "spend_experiment", "experiment");
            for (Map.Entry<String, String> index : partial.entrySet()) {
                assertThat(indexDefinition(s, index.getKey())).as(index.getKey())
                        .containsIgnoringCase("WHERE").contains(index.getValue() + " IS NOT NULL");
            }
            assertThat(indexDefinition(s, "spend_at")).doesNotContainIgnoringCase("WHERE");
            assertThat(indexDefinition(s, "spend_prompt")).isNull();
        }
    }

    /** The statement that defines {@code index} as the database keeps it; null when there is no such index. */
    abstract String indexDefinition(Statement statement, String index) throws Exception;
}
