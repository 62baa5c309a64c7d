package dev.tollgate.server.admin;

import java.util.concurrent.CompletionStage;

/**
 * Starts a run of bias probes now, outside its schedule ({@code POST /admin/evaluations/bias/run}). Implemented by
 * the evaluation engine; the run itself goes on in the background, and its results land in the evaluation store.
 */
@FunctionalInterface
public interface BiasRuns {

    /**
     * Starts a run of one bias evaluator's probes, or of every bias evaluator's when {@code evaluator} is null. Must
     * not block: the admin API calls it on an event loop.
     *
     * @return completes with the number of probe pairs started; fails with {@link IllegalArgumentException} when
     *     {@code evaluator} names no bias evaluator of the config in force (answered 404), and with
     *     {@link IllegalStateException} when the config has no bias evaluator at all (answered 409); the admin
     *     route words both answers itself
     */
    CompletionStage<Integer> run(String evaluator);
}
