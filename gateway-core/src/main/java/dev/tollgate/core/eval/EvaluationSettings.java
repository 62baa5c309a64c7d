package dev.tollgate.core.eval;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code evaluation} config section: the evaluators, and the bounds of the background work that runs them.
 *
 * @param team the team evaluation calls (judges, re-asks, probes, embeddings) are charged to, so they show in its
 *     budget like any other traffic; null when no evaluator calls a model
 * @param queueSize requests waiting to be scored at most; beyond it, sampled requests are dropped and counted
 * @param concurrency requests scored at once
 * @param maxChars the most characters of a prompt, its context or its answer a judge is shown (and kept, redacted,
 *     with the result)
 * @param retention how long results are kept
 * @param evaluators name to evaluator, in config order
 */
public record EvaluationSettings(String team, int queueSize, int concurrency, int maxChars, Duration retention,
                                 Map<String, Evaluator> evaluators) {
    /**
     * The name of the key the gateway makes for its own evaluation calls (judges, re-asks, probes): reserved, so no
     * config or admin key can take it and have its requests mistaken for the gateway's.
     */
    public static final String KEY_NAME = "tollgate-evaluation";
    public static final int DEFAULT_QUEUE_SIZE = 256;
    public static final int DEFAULT_CONCURRENCY = 2;
    public static final int DEFAULT_MAX_CHARS = 8_000;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final EvaluationSettings OFF = new EvaluationSettings(null, DEFAULT_QUEUE_SIZE, DEFAULT_CONCURRENCY,
            DEFAULT_MAX_CHARS, DEFAULT_RETENTION, Map.of());

    public EvaluationSettings {
        if (queueSize < 1 || concurrency < 1 || maxChars < 1) {
            throw new IllegalArgumentException("queue size, concurrency and max chars must be positive");
        }
        requireNonNull(retention, "retention");
        evaluators = Collections.unmodifiableMap(new LinkedHashMap<>(evaluators));
    }

    /**
     * These settings with the queue size and worker count of {@code started}: the queue and the workers are made at
     * start, so a reload that changes them waits for a restart.
     */
    public EvaluationSettings withWorkersOf(EvaluationSettings started) {
        return new EvaluationSettings(team, started.queueSize, started.concurrency, maxChars, retention, evaluators);
    }

    /** Whether any evaluator is configured: when not, nothing is sampled and no background work runs. */
    public boolean any() {
        return !evaluators.isEmpty();
    }

    /**
     * The evaluators that score this completed request, in config order; empty (and allocation-free) when none does.
     *
     * @param spendId the request's ledger id, which the draw hashes
     * @param key the virtual key's name, or null
     * @param route {@code chat} or {@code messages}
     */
    public List<Evaluator.Sampled> sampledFor(String spendId, String model, String key, String route) {
        List<Evaluator.Sampled> chosen = null;
        for (Evaluator e : evaluators.values()) {
            if (e instanceof Evaluator.Sampled s && s.sampling().matches(model, key, route)
                    && s.sampling().sampled(s.name(), spendId)) {
                if (chosen == null) {
                    chosen = new ArrayList<>(2);
                }
                chosen.add(s);
            }
        }
        return chosen == null ? List.of() : chosen;
    }

    /** The evaluators of one kind, in config order. */
    public <T extends Evaluator> List<T> ofType(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Evaluator e : evaluators.values()) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }
}
