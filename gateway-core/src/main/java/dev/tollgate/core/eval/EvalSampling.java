package dev.tollgate.core.eval;

import dev.tollgate.core.quality.ReviewSettings;
import java.util.Set;

/**
 * Which completed requests an evaluator scores: a fraction of those that match its scope. An empty set in the scope
 * matches everything.
 *
 * @param rate the fraction sampled, 0 to 1
 * @param models only these model groups
 * @param keys only these virtual keys
 * @param routes only these routes ({@code chat}, {@code messages})
 */
public record EvalSampling(double rate, Set<String> models, Set<String> keys, Set<String> routes) {
    public EvalSampling {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("a sample rate runs from 0 to 1, not " + rate);
        }
        models = Set.copyOf(models);
        keys = Set.copyOf(keys);
        routes = Set.copyOf(routes);
    }

    /** Whether a request to model group {@code model} by key {@code key} (null: none) on {@code route} is in scope. */
    public boolean matches(String model, String key, String route) {
        return (models.isEmpty() || models.contains(model))
                && (keys.isEmpty() || (key != null && keys.contains(key)))
                && (routes.isEmpty() || routes.contains(route));
    }

    /**
     * Whether evaluator {@code evaluator} scores the request with ledger id {@code spendId}: decided by a hash of
     * both, so each evaluator draws its own sample and every replica draws the same one.
     */
    public boolean sampled(String evaluator, String spendId) {
        if (rate <= 0) {
            return false;
        }
        return rate >= 1 || ReviewSettings.position(evaluator, spendId) < rate;
    }
}
