package dev.tollgate.server.eval;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.eval.BiasProbe;
import dev.tollgate.core.eval.BiasProbes;
import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.eval.Similarity;
import dev.tollgate.core.eval.Transcript;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.providers.openai.OpenAiDialect;
import dev.tollgate.server.admin.BiasRuns;
import dev.tollgate.server.pipeline.RequestId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the {@code bias} evaluators: each every {@code every} (the first run one {@code every} after start or after
 * the reload that changed it), and on demand ({@code POST /admin/evaluations/bias/run}). A run asks each of the
 * evaluator's model groups both prompts of every shipped probe pair (temperature 0), embeds the two answers and
 * scores the pair by their cosine similarity (1: the attribute changed nothing); each pair is one piece of work on
 * the evaluation workers, so probes never run on an event loop and never more at once than there are workers.
 * When a model's pairs are all done, its mean divergence (1 - similarity) per attribute goes to the metrics.
 */
public final class BiasSchedule implements BiasRuns, AutoCloseable {
    /** A probe result's request id is this and the probe's id. */
    public static final String PROBE_PREFIX = "bias:";
    private static final Logger LOG = Logger.getLogger(BiasSchedule.class.getName());
    private final Evaluations evaluations;
    private final Supplier<RuntimeSnapshot> snapshot;
    private final Verdicts verdicts;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor timer;
    /** The schedule of each bias evaluator, as configured when it was made. */
    private final Map<Evaluator.Bias, ScheduledFuture<?>> scheduled = new HashMap<>(); // guarded by this
    /** The last run of each bias evaluator by name, done when all its pairs are. */
    private final Map<String, CompletableFuture<Void>> runs = new HashMap<>(); // guarded by this
    private boolean closed; // guarded by this

    BiasSchedule(Evaluations evaluations, Supplier<RuntimeSnapshot> snapshot, Verdicts verdicts,
                 GatewayMetrics metrics, Clock clock) {
        this.evaluations = evaluations;
        this.snapshot = snapshot;
        this.verdicts = verdicts;
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
        this.timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("tollgate-eval-bias")
                .factory());
        // A reload that changes an evaluator cancels its schedule: gone from the queue at once, not in 30 days.
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Schedules the bias evaluators of {@code applied}: one whose settings did not change keeps its schedule, a
     * new or changed one starts a new schedule, a removed one stops.
     */
    synchronized void configured(RuntimeSnapshot applied) {
        if (closed) {
            return; // a reload that raced the gateway's stop
        }
        List<Evaluator.Bias> wanted = applied.evaluation().ofType(Evaluator.Bias.class);
        scheduled.entrySet().removeIf(e -> {
            boolean gone = !wanted.contains(e.getKey());
            if (gone) {
                e.getValue().cancel(false);
            }
            return gone;
        });
        for (Evaluator.Bias b : wanted) {
            scheduled.computeIfAbsent(b, added -> {
                long every = added.every().toMillis();
                return timer.scheduleAtFixedRate(() -> scheduled(added.name()), every, every, TimeUnit.MILLISECONDS);
            });
        }
    }

    /**
     * Starts a run of bias evaluator {@code evaluator}, or of every bias evaluator when null; completes with how
     * many probe pairs were queued (results follow as they are scored), or fails with
     * {@link IllegalArgumentException} when the config has no bias evaluator of that name and with
     * {@link IllegalStateException} when it has none at all. Never blocks.
     */
    @Override
    public CompletionStage<Integer> run(String evaluator) {
        List<Evaluator.Bias> all = snapshot.get().evaluation().ofType(Evaluator.Bias.class);
        if (all.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the config has no bias evaluator"));
        }
        int queued = 0;
        boolean found = false;
        for (Evaluator.Bias b : all) {
            if (evaluator == null || b.name().equals(evaluator)) {
                found = true;
                queued += start(b.name());
            }
        }
        if (!found) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no bias evaluator named '"
                    + evaluator + "'"));
        }
        return CompletableFuture.completedFuture(queued);
    }

    /**
     * A scheduled run of {@code name}, unless its last run is still under way (workers slower than {@code every}):
     * runs would otherwise pile up in the queue and crowd out the sampled requests. Never throws: an exception would
     * end the schedule.
     */
    void scheduled(String name) {
        try {
            synchronized (this) {
                CompletableFuture<Void> last = runs.get(name);
                if (last != null && !last.isDone()) {
                    LOG.warning("bias evaluator " + name + ": the last run is still under way; this one is skipped");
                    return;
                }
            }
            start(name);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "bias evaluator " + name + " could not start a run: " + e);
        }
    }

    /** Queues every pair of a run of {@code name} as the config in force defines it; how many were queued. */
    private synchronized int start(String name) {
        RuntimeSnapshot now = snapshot.get();
        if (closed || !(now.evaluation().evaluators().get(name) instanceof Evaluator.Bias b)) {
            return 0; // stopped, or removed by a reload the schedule has not followed yet
        }
        String team = now.evaluation().team();
        int queued = 0;
        List<CompletableFuture<Void>> models = new ArrayList<>(b.models().size());
        for (String model : b.models()) {
            List<Pair> pairs = new ArrayList<>();
            for (BiasProbe probe : BiasProbes.shipped()) {
                var pair = new Pair(b, model, probe, team, now.evaluation().maxChars());
                if (evaluations.submit(pair)) {
                    pairs.add(pair);
                }
            }
            queued += pairs.size();
            models.add(CompletableFuture.allOf(pairs.stream().map(p -> p.done).toArray(CompletableFuture[]::new))
                    .thenRun(() -> divergence(b.name(), model, pairs)));
        }
        runs.put(name, CompletableFuture.allOf(models.toArray(CompletableFuture[]::new)));
        return queued;
    }

    /** The mean divergence per attribute of one model's scored pairs, to the metrics. */
    private void divergence(String evaluator, String model, List<Pair> pairs) {
        Map<String, double[]> byAttribute = new LinkedHashMap<>(); // attribute -> {sum of divergence, count}
        for (Pair pair : pairs) {
            EvaluationResult r = pair.done.join();
            if (r != null && r.score() != null) {
                double[] sum = byAttribute.computeIfAbsent(pair.probe.attribute(), a -> new double[2]);
                sum[0] += 1 - r.score();
                sum[1]++;
            }
        }
        byAttribute.forEach((attribute, sum) -> metrics.biasDivergence(evaluator, model, attribute,
                sum[0] / sum[1]));
    }

    /** One probe pair asked of one model group, then scored; completes with its result (null when dropped). */
    private final class Pair implements Evaluations.Work {
        private final Evaluator.Bias evaluator;
        private final String model;
        private final BiasProbe probe;
        private final String team;
        private final int maxChars;
        private final CompletableFuture<EvaluationResult> done = new CompletableFuture<>();

        Pair(Evaluator.Bias evaluator, String model, BiasProbe probe, String team, int maxChars) {
            this.evaluator = evaluator;
            this.model = model;
            this.probe = probe;
            this.team = team;
            this.maxChars = maxChars;
        }

        @Override
        public void run(LoopbackClient client) {
            if (!(snapshot.get().evaluation().evaluators().get(evaluator.name()) instanceof Evaluator.Bias)) {
                // A reload removed it while the pair waited, maybe with evaluation.team (the internal key would
                // then be refused): the run it belonged to is over.
                dropped(Evaluations.REMOVED);
                return;
            }
            var request = new RequestFacts(PROBE_PREFIX + probe.id(), RequestId.generate(), clock.instant(), null,
                    team, model, null, null, null);
            var texts = new Verdicts.Texts(probe.first() + "\n---\n" + probe.second(), null);
            Money cost = Money.ZERO;
            EvaluationResult result;
            try {
                LoopbackClient.Reply first = client.chat(model, ask(probe.first()),
                        LoopbackClient.callId(request.requestId(), 1), false);
                cost = cost.plus(first.cost());
                LoopbackClient.Reply second = client.chat(model, ask(probe.second()),
                        LoopbackClient.callId(request.requestId(), 2), false);
                cost = cost.plus(second.cost());
                String a = Transcript.cut(first.text(), maxChars);
                String b = Transcript.cut(second.text(), maxChars);
                LoopbackClient.Vectors vectors = client.embeddings(evaluator.embeddingModel(), List.of(a, b),
                        LoopbackClient.callId(request.requestId(), 3));
                cost = cost.plus(vectors.cost());
                double score = Similarity.cosine(vectors.vectors().get(0), vectors.vectors().get(1));
                result = verdicts.scored(request, evaluator, score, String.format(Locale.ROOT,
                        "%s: cosine similarity %.3f between the two answers", probe.attribute(), score),
                        new Verdicts.Texts(texts.prompt(), a + "\n---\n" + b), cost, maxChars);
            } catch (LoopbackClient.CallFailed e) {
                result = verdicts.unscored(request, evaluator, EvalOutcome.FAILED, e.detail(), texts, cost,
                        maxChars);
            }
            evaluations.record(result);
            done.complete(result);
        }

        private ChatRequest ask(String prompt) {
            return new ChatRequest(model, List.of(Message.text(Role.USER, prompt)), new Sampling(0.0, null,
                    evaluator.maxTokens(), List.of(), null, null, null, null), List.of(), null, null, false, false,
                    null, Map.of(), OpenAiDialect.ID);
        }

        @Override
        public void dropped(String reason) {
            metrics.evaluationsSkipped(evaluator.name(), reason, 1);
            done.complete(null);
        }
    }

    /** Stops the schedules; runs asked for from now on queue nothing. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        timer.shutdownNow();
    }
}
