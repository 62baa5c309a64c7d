package dev.tollgate.server.eval;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.eval.EvaluationStore;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.server.access.InternalKey;
import dev.tollgate.server.quality.BatchWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Online evaluation, off the request path: sampled requests wait in a bounded queue ({@code evaluation.queue_size})
 * for {@code evaluation.concurrency} worker threads, which run their evaluators with the config in force when they
 * get to them (an evaluator a reload removed is skipped). {@link #offer} never blocks: a full queue drops the
 * request and counts it ({@code queue_full}), so evaluation can never slow the proxy. Bias probes run on the same
 * workers ({@link BiasSchedule}). Results go to the ledger through a batching writer, and to the metrics.
 *
 * <p>The queue's size and the number of workers are read from the config at start: {@code queue_size} and
 * {@code concurrency} apply at restart. Judge, re-ask, probe and embeddings calls go through the gateway's own
 * proxy port ({@link LoopbackClient}), so they are routed, limited and charged to {@code evaluation.team} like any
 * other traffic. Thread-safe.
 */
public final class Evaluations implements AutoCloseable {
    /** How long {@link #close} lets the workers finish what they hold before cutting their calls. */
    static final Duration DRAIN = Duration.ofSeconds(3);
    /** How long a worker whose call {@link #close} cut gets to record it and stop. */
    private static final Duration CUT = Duration.ofSeconds(1);
    static final String QUEUE_FULL = "queue_full";
    static final String REMOVED = "removed";
    /** The skip reason of work the stopping gateway never ran, as operations.md documents it. */
    static final String SHUTDOWN = "shutdown";
    static final String ERROR = "error";
    /** Scored and counted in the meters, but the ledger did not take the result. */
    static final String UNSTORED = "unstored";
    private static final int WRITER_CAPACITY = 1_024;
    private static final Logger LOG = Logger.getLogger(Evaluations.class.getName());

    /**
     * The most the queue holds, in bytes of the texts and requests it keeps: {@code queue_size} bounds the count, but
     * a sample can hold three texts of {@code max_chars} and a request to ask again, so the count alone could let a
     * large queue grow to gigabytes. A sample over the bound is dropped as if the queue were full.
     */
    static final long MAX_QUEUED_BYTES = 64L << 20;

    /** Something for a worker to do with the loopback client. */
    interface Work {
        void run(LoopbackClient client);

        /** About how many bytes it holds while it waits. */
        default long bytes() {
            return 0;
        }

        /** It will never run: the queue was full, or the gateway is stopping. */
        void dropped(String reason);
    }

    private final Supplier<RuntimeSnapshot> snapshot;
    private final GatewayMetrics metrics;
    private final InternalKey key;
    private final Verdicts verdicts;
    private final BlockingQueue<Work> queue;
    private final List<Thread> workers;
    private final BatchWriter<EvaluationResult> writer;
    private final BiasSchedule bias;
    private final Duration callTimeout;
    private volatile LoopbackClient client;
    private volatile boolean closing;
    /** What the works in the queue hold, against {@link #MAX_QUEUED_BYTES}. */
    private final AtomicLong queuedBytes = new AtomicLong();

    /**
     * @param snapshot the config in force, read for each piece of work
     * @param store where results are kept: the ledger
     * @param redactor redacts every text a result keeps
     * @param callTimeout each loopback call's limit ({@link LoopbackClient#CALL_TIMEOUT})
     */
    public Evaluations(Supplier<RuntimeSnapshot> snapshot, EvaluationStore store, GatewayMetrics metrics,
                       PiiRedactor redactor, InternalKey key, Clock clock, Duration callTimeout) {
        this.snapshot = requireNonNull(snapshot, "snapshot");
        this.metrics = requireNonNull(metrics, "metrics");
        this.key = requireNonNull(key, "key");
        this.callTimeout = requireNonNull(callTimeout, "callTimeout");
        this.verdicts = new Verdicts(redactor, clock);
        EvaluationSettings settings = snapshot.get().evaluation();
        this.queue = new ArrayBlockingQueue<>(settings.queueSize());
        this.workers = new ArrayList<>(settings.concurrency());
        for (int i = 0; i < settings.concurrency(); i++) {
            workers.add(Thread.ofPlatform().daemon().name("tollgate-eval-" + i).unstarted(this::work));
        }
        requireNonNull(store, "store");
        this.writer = new BatchWriter<>("tollgate-eval-writer", "evaluation results", WRITER_CAPACITY,
                store::saveEvaluations, this::unstored);
        this.bias = new BiasSchedule(this, snapshot, verdicts, metrics, clock);
    }

    /**
     * Starts the workers, the writer and the bias schedule, once the proxy listens.
     *
     * @param proxyHost the host the proxy port is bound to ({@link LoopbackClient#loopbackHost} makes it reachable)
     */
    public void start(String proxyHost, int proxyPort) {
        client = new LoopbackClient(LoopbackClient.loopbackHost(proxyHost), proxyPort, key, callTimeout);
        writer.start();
        workers.forEach(Thread::start);
        bias.configured(snapshot.get());
    }

    /** Follows a reload: reschedules the bias evaluators whose set or settings changed. */
    public void configured(RuntimeSnapshot applied) {
        if (client != null) {
            bias.configured(applied);
        }
    }

    /** The on-demand bias runs of {@code POST /admin/evaluations/bias/run}. */
    public BiasSchedule bias() {
        return bias;
    }

    /**
     * Queues a request drawn by {@code draft.evaluators()}, or drops it and counts it for each of them when the
     * queue is full. Never blocks: called on event loops.
     */
    public void offer(RequestFacts request, EvaluationDraft draft) {
        submit(new Sampled(request, draft));
    }

    /**
     * Records accepted feedback as a score of the {@code feedback} evaluator, if the config has one: the caller's
     * rating normalised to 0..1, the comment (already redacted) as the rationale. No model call: runs on the
     * caller's thread, and only queues the row.
     */
    public void feedback(Feedback feedback) {
        EvaluationSettings settings = snapshot.get().evaluation();
        for (Evaluator.Feedback e : settings.ofType(Evaluator.Feedback.class)) {
            record(verdicts.scored(feedback.request(), e, feedback.score().normalised(), feedback.comment(),
                    Verdicts.Texts.NONE, Money.ZERO, settings.maxChars()));
        }
    }

    /** Queues work for the workers; false (and the work told so) when the queue is full or closing. */
    boolean submit(Work work) {
        if (closing) {
            work.dropped(SHUTDOWN);
            return false;
        }
        long bytes = work.bytes();
        if (queuedBytes.addAndGet(bytes) > MAX_QUEUED_BYTES && bytes > 0) {
            queuedBytes.addAndGet(-bytes);
            work.dropped(QUEUE_FULL);
            return false;
        }
        if (!queue.offer(work)) {
            queuedBytes.addAndGet(-bytes);
            work.dropped(QUEUE_FULL);
            return false;
        }
        if (closing && queue.remove(work)) {
            // Closed since the check above, maybe after close drained the queue: nothing would ever take it.
            queuedBytes.addAndGet(-bytes);
            work.dropped(SHUTDOWN);
            return false;
        }
        metrics.evaluationQueue(queue.size());
        return true;
    }

    /** A finished evaluation: counted at once, stored in the next batch. */
    void record(EvaluationResult result) {
        metrics.evaluated(result);
        writer.offer(result);
    }

    private void unstored(List<EvaluationResult> results) {
        for (EvaluationResult r : results) {
            metrics.evaluationsSkipped(r.evaluator(), UNSTORED, 1);
        }
    }

    private void work() {
        while (!closing || !queue.isEmpty()) {
            Work next;
            try {
                next = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (next == null) {
                continue;
            }
            queuedBytes.addAndGet(-next.bytes());
            metrics.evaluationQueue(queue.size());
            try {
                next.run(client);
            } catch (RuntimeException e) {
                // A bug, or a config that changed under the work: never the texts in the log.
                LOG.log(Level.WARNING, "an evaluation failed inside the gateway: " + e);
                next.dropped(ERROR);
            }
            if (Thread.currentThread().isInterrupted()) {
                return; // cut by close
            }
        }
    }

    /** A sampled request and the evaluators that drew it. */
    private final class Sampled implements Work {
        private final RequestFacts request;
        private final EvaluationDraft draft;

        Sampled(RequestFacts request, EvaluationDraft draft) {
            this.request = request;
            this.draft = draft;
        }

        @Override
        public long bytes() {
            return draft.bytes();
        }

        @Override
        public void run(LoopbackClient client) {
            RuntimeSnapshot now = snapshot.get();
            var scorers = new Scorers(client, verdicts);
            for (Evaluator.Sampled drawn : draft.evaluators()) {
                if (Thread.currentThread().isInterrupted()) {
                    metrics.evaluationsSkipped(drawn.name(), SHUTDOWN, 1); // close cut the calls
                    continue;
                }
                // As the config in force defines it now; gone (or no longer of its kind) after a reload: skipped.
                if (now.evaluation().evaluators().get(drawn.name()) instanceof Evaluator.Sampled current
                        && current.kind() == drawn.kind()) {
                    try {
                        record(scorers.score(request, draft, current, now));
                    } catch (RuntimeException e) {
                        // A bug: logged without the texts, counted, and the other evaluators still run.
                        LOG.log(Level.WARNING, "evaluator " + drawn.name() + " failed inside the gateway: " + e);
                        metrics.evaluationsSkipped(drawn.name(), ERROR, 1);
                    }
                } else {
                    metrics.evaluationsSkipped(drawn.name(), REMOVED, 1);
                }
            }
        }

        @Override
        public void dropped(String reason) {
            for (Evaluator.Sampled e : draft.evaluators()) {
                metrics.evaluationsSkipped(e.name(), reason, 1);
            }
        }
    }

    /**
     * Stops: the bias schedule at once, new work refused, the workers given {@link #DRAIN} to finish what is queued
     * before their calls are cut, then the results written (a few seconds at most). Called once.
     */
    @Override
    public void close() {
        closing = true;
        bias.close();
        long deadline = System.nanoTime() + DRAIN.toNanos();
        for (Thread worker : workers) {
            try {
                worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        workers.forEach(Thread::interrupt);
        if (client != null) {
            client.close();
        }
        for (Thread worker : workers) {
            try {
                // Cut calls end at once: what they record still reaches the writer, and no worker outlives close.
                worker.join(CUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Work left;
        while ((left = queue.poll()) != null) {
            left.dropped(SHUTDOWN);
        }
        metrics.evaluationQueue(0);
        writer.close();
    }
}
