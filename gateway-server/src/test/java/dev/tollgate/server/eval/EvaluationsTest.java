package dev.tollgate.server.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.cache.CacheSettings;
import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvalSampling;
import dev.tollgate.core.eval.EvaluationQuery;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.eval.EvaluationStore;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.eval.JudgeInput;
import dev.tollgate.core.eval.Rubric;
import dev.tollgate.core.guard.GuardrailPolicy;
import dev.tollgate.core.runtime.MetricsSettings;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.prompt.PromptRegistry;
import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.FeedbackScore;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewSettings;
import dev.tollgate.core.routing.RoutingTable;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.core.runtime.StorageSettings;
import dev.tollgate.server.access.InternalKey;
import dev.tollgate.server.testing.NoMetrics;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EvaluationsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final EvalSampling ALL = new EvalSampling(1, Set.of(), Set.of(), Set.of());
    private static final Evaluator.Judge JUDGE = new Evaluator.Judge("faithful", "judge-model",
            Rubric.Shipped.FAITHFULNESS, 300, ALL, 0.5);

    /** A stand-in for the gateway's proxy port: judges' calls wait on {@link #release}, then get a verdict. */
    private HttpServer proxy;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger calls = new AtomicInteger();
    private final Counting metrics = new Counting();
    private final Memory store = new Memory();
    private final AtomicReference<RuntimeSnapshot> snapshot = new AtomicReference<>();
    private Evaluations evaluations;

    @BeforeEach
    void start() throws Exception {
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/v1/chat/completions", exchange -> {
            calls.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = ("{\"choices\":[{\"message\":{\"content\":\"{\\\"score\\\": 4, \\\"reason\\\": \\\"true to "
                    + "the context\\\"}\"},\"finish_reason\":\"stop\"}]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-tollgate-cost-usd", "0.002");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        proxy.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        proxy.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (evaluations != null) {
            evaluations.close();
        }
        proxy.stop(0);
    }

    private void evaluate(EvaluationSettings settings) {
        snapshot.set(snapshot(settings));
        evaluations = new Evaluations(snapshot::get, store, metrics, new PiiRedactor(PiiDetector.all()),
                InternalKey.generate(new SecureRandom(), NOW), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(5));
        evaluations.start("0.0.0.0", proxy.getAddress().getPort());
    }

    private static EvaluationSettings settings(int queueSize, Evaluator... evaluators) {
        Map<String, Evaluator> byName = new java.util.LinkedHashMap<>();
        for (Evaluator e : evaluators) {
            byName.put(e.name(), e);
        }
        return new EvaluationSettings("quality", queueSize, 1, 2_000, Duration.ofDays(1), byName);
    }

    static RuntimeSnapshot snapshot(EvaluationSettings evaluation) {
        return new RuntimeSnapshot("test", ServerSettings.DEFAULTS, Map.of(), Map.of(), AccessPolicy.OPEN, Map.of(),
                new StorageSettings(null, null, "t:", StorageSettings.OnStoreFailure.LOCAL,
                        StorageSettings.OnStoreFailure.FAIL_CLOSED, Path.of("spill"), 1 << 20), RoutingTable.DEFAULT,
                CacheSettings.OFF, TraceSettings.OFF, MetricsSettings.DEFAULTS, ReviewSettings.OFF,
                PromptRegistry.EMPTY, GuardrailPolicy.NONE, evaluation);
    }

    private static RequestFacts facts(String id) {
        return new RequestFacts(id, "spend-" + id, NOW, "app", "ops", "gpt-x", null, null, null);
    }

    private static EvaluationDraft draft(Evaluator.Sampled... evaluators) {
        return new EvaluationDraft(new JudgeInput("Paris is in France.", "user: where is Paris? mail me at "
                + "jane.doe@example.com", "In France."), false, null, 0, List.of(evaluators));
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlockingTheOfferingThread() throws Exception {
        evaluate(settings(2, JUDGE));
        evaluations.offer(facts("busy"), draft(JUDGE));
        awaitCalls(1); // the one worker now holds the first request, blocked on its judge
        long start = System.nanoTime();
        for (int i = 0; i < 12; i++) {
            evaluations.offer(facts("r" + i), draft(JUDGE));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
        assertThat(metrics.skipped("faithful", Evaluations.QUEUE_FULL)).isEqualTo(10);
        assertThat(metrics.depth.get()).isEqualTo(2);

        release.countDown();
        List<EvaluationResult> results = store.await(3);
        assertThat(results).extracting(r -> r.request().requestId()).containsExactlyInAnyOrder("busy", "r0", "r1");
        EvaluationResult first = results.stream().filter(r -> r.request().requestId().equals("busy")).findFirst()
                .orElseThrow();
        assertThat(first.outcome()).isEqualTo(EvalOutcome.SCORED);
        assertThat(first.score()).isEqualTo(0.75);
        assertThat(first.flagged()).isFalse();
        assertThat(first.rubric()).isEqualTo("faithfulness");
        assertThat(first.rationale()).isEqualTo("true to the context");
        assertThat(first.cost().usd()).isEqualTo("0.002");
        assertThat(first.prompt()).doesNotContain("jane.doe@example.com").contains("where is Paris?");
        assertThat(metrics.evaluated).hasSize(3);
    }

    /** The queue is bounded by what its samples hold too, not only by their count: big ones cannot pile up. */
    @Test
    void samplesBeyondTheQueuesByteBoundAreDroppedWhileItHasRoomForMore() throws Exception {
        evaluate(settings(100, JUDGE));
        evaluations.offer(facts("busy"), draft(JUDGE));
        awaitCalls(1);
        int big = (int) (Evaluations.MAX_QUEUED_BYTES / 3); // a re-askable request this large: three do not fit
        for (int i = 0; i < 4; i++) {
            evaluations.offer(facts("big" + i), new EvaluationDraft(new JudgeInput("", "user: hi", "hello"), false,
                    null, big, List.of(JUDGE)));
        }
        assertThat(metrics.skipped("faithful", Evaluations.QUEUE_FULL)).isEqualTo(2);
        assertThat(metrics.depth.get()).isEqualTo(2);
        evaluations.offer(facts("small"), draft(JUDGE)); // small ones still fit beside them
        assertThat(metrics.depth.get()).isEqualTo(3);

        release.countDown();
        assertThat(store.await(4)).extracting(r -> r.request().requestId())
                .containsExactlyInAnyOrder("busy", "big0", "big1", "small");
    }

    @Test
    void anEvaluatorAReloadRemovedIsSkippedAndTheOthersStillRun() throws Exception {
        var leaks = new Evaluator.Guardrail("leaks", List.of("gone"), ALL, 0.5);
        evaluate(settings(8, JUDGE));
        evaluations.offer(facts("held"), draft(JUDGE));
        awaitCalls(1);
        evaluations.offer(facts("after-reload"), draft(JUDGE, leaks));
        snapshot.set(snapshot(settings(8, new Evaluator.Judge("faithful", "judge-model", Rubric.Shipped.TOXICITY,
                300, ALL, 0.9))));
        release.countDown();
        List<EvaluationResult> results = store.await(2);
        // Counted by the worker after it recorded the judge's result, which the writer may store first.
        long countedUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (metrics.skipped("leaks", Evaluations.REMOVED) == 0 && System.nanoTime() < countedUntil) {
            Thread.sleep(10);
        }
        assertThat(metrics.skipped("leaks", Evaluations.REMOVED)).isEqualTo(1);
        // Run as the config in force defines it when its turn comes: the new rubric and threshold.
        EvaluationResult reloaded = results.stream().filter(r -> r.request().requestId().equals("after-reload"))
                .findFirst().orElseThrow();
        assertThat(reloaded.rubric()).isEqualTo("toxicity");
        assertThat(reloaded.flagged()).isTrue();
    }

    @Test
    void acceptedFeedbackIsTheFeedbackEvaluatorsScore() throws Exception {
        evaluate(settings(4, new Evaluator.Feedback("helpful", 0.5)));
        evaluations.feedback(new Feedback(facts("rated"), NOW, new FeedbackScore.Stars(2), "meh, call 555-0100"));
        evaluations.feedback(new Feedback(facts("liked"), NOW, new FeedbackScore.Thumbs(true), null));
        List<EvaluationResult> results = store.await(2);
        EvaluationResult rated = results.get(0);
        assertThat(rated.evaluator()).isEqualTo("helpful");
        assertThat(rated.score()).isEqualTo(0.25);
        assertThat(rated.flagged()).isTrue();
        assertThat(rated.rationale()).startsWith("meh");
        assertThat(results.get(1).score()).isEqualTo(1.0);
        assertThat(results.get(1).flagged()).isFalse();
    }

    @Test
    void withoutAFeedbackEvaluatorFeedbackLeavesNoResult() throws Exception {
        evaluate(settings(4, JUDGE));
        evaluations.feedback(new Feedback(facts("rated"), NOW, new FeedbackScore.Stars(5), null));
        evaluations.close();
        evaluations = null;
        assertThat(store.saved).isEmpty();
        assertThat(metrics.evaluated).isEmpty();
    }

    @Test
    void workOfferedAfterCloseIsCountedNotQueued() {
        evaluate(settings(4, JUDGE));
        evaluations.close();
        evaluations.offer(facts("late"), draft(JUDGE));
        evaluations = null;
        assertThat(metrics.skipped("faithful", "shutdown")).isEqualTo(1);
        assertThat(calls.get()).isZero();
    }

    private static final Evaluator.Bias FAIR = new Evaluator.Bias("fair", List.of("gpt-x"), "embed",
            Duration.ofHours(1), 100, 0.8);

    private void awaitCalls(int n) throws InterruptedException {
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (calls.get() < n && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        assertThat(calls.get()).isEqualTo(n);
    }

    /** Pairs that wait while a reload removes their evaluator (and maybe the team) are skipped, not asked. */
    @Test
    void biasPairsWhoseEvaluatorAReloadRemovedAreSkipped() throws Exception {
        evaluate(settings(64, FAIR));
        int queued = evaluations.bias().run("fair").toCompletableFuture().join();
        assertThat(queued).isGreaterThan(1);
        awaitCalls(1); // the one worker holds the first pair
        snapshot.set(snapshot(settings(64, JUDGE)));
        release.countDown();
        store.await(1); // the first pair: its embeddings call finds no route here, a failed row
        assertThat(store.saved.getFirst().outcome()).isEqualTo(EvalOutcome.FAILED);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (metrics.skipped("fair", Evaluations.REMOVED) < queued - 1 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(metrics.skipped("fair", Evaluations.REMOVED)).isEqualTo(queued - 1);
        assertThat(calls.get()).isEqualTo(2); // the first pair's two prompts only
    }

    /** A scheduled run while the last is under way adds nothing to the queue; once it is over, the next one runs. */
    @Test
    void aScheduledBiasRunSkipsWhileTheLastIsUnderWay() throws Exception {
        evaluate(settings(64, FAIR));
        int queued = evaluations.bias().run("fair").toCompletableFuture().join();
        awaitCalls(1);
        int depth = metrics.depth.get();
        evaluations.bias().scheduled("fair");
        assertThat(metrics.depth.get()).isEqualTo(depth);
        release.countDown();
        store.await(queued);
        // The run is over once its last pair completes, just after its result is recorded; ticks until then skip.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.saved.size() == queued && System.nanoTime() < until) {
            evaluations.bias().scheduled("fair");
            Thread.sleep(20);
        }
        store.await(2 * queued);
    }

    @Test
    void aReloadThatRacesCloseIsIgnored() {
        evaluate(settings(4, FAIR));
        evaluations.close();
        evaluations.configured(snapshot(settings(4, new Evaluator.Bias("fair", List.of("gpt-x"), "embed",
                Duration.ofHours(2), 100, 0.8))));
        assertThat(evaluations.bias().run("fair").toCompletableFuture().join()).isZero();
        evaluations = null;
    }

    /** Results as stored, in order. */
    static final class Memory implements EvaluationStore {
        final List<EvaluationResult> saved = new CopyOnWriteArrayList<>();

        @Override
        public void saveEvaluations(List<EvaluationResult> results) {
            saved.addAll(results);
        }

        @Override
        public CompletionStage<List<EvaluationResult>> evaluations(EvaluationQuery query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<Integer> pruneEvaluations(Instant before) {
            throw new UnsupportedOperationException();
        }

        List<EvaluationResult> await(int count) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (saved.size() < count && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(saved).hasSize(count);
            return List.copyOf(saved);
        }
    }

    /** Counts what evaluation reports. */
    static final class Counting extends NoMetrics {
        final Map<String, AtomicInteger> skipped = new ConcurrentHashMap<>();
        final List<EvaluationResult> evaluated = new CopyOnWriteArrayList<>();
        final AtomicInteger depth = new AtomicInteger();

        @Override
        public void evaluated(EvaluationResult result) {
            evaluated.add(result);
        }

        @Override
        public void evaluationsSkipped(String evaluator, String reason, long count) {
            skipped.computeIfAbsent(evaluator + "/" + reason, k -> new AtomicInteger()).addAndGet((int) count);
        }

        @Override
        public void evaluationQueue(int depth) {
            this.depth.set(depth);
        }

        int skipped(String evaluator, String reason) {
            AtomicInteger n = skipped.get(evaluator + "/" + reason);
            return n == null ? 0 : n.get();
        }
    }
}
