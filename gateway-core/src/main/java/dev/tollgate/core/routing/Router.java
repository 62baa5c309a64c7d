package dev.tollgate.core.routing;

import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.pricing.PriceBook;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Resolves a request to a {@link RoutePlan}: the header tier, a tier, an automatic-tier alias, a split or a model
 * group, then the group's candidates. One per process (it keeps the round-robin turns and the retry budget);
 * thread-safe. Pure apart from that state: health, prices, time and randomness come in as arguments.
 */
public final class Router {

    /** @param clock nanoseconds on a fixed origin ({@code System::nanoTime}; a fake in tests) */
    public Router(RetryBudget budget, LongSupplier clock) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * The plan for a request. Throws {@link GatewayException} with the client-facing error when the name is not a
     * model, tier, alias or split ({@code 404 model_not_found}), when the key may not ask for it
     * ({@code 403 model_not_allowed}), or when the group serves another operation ({@code 400
     * model_not_supported}).
     */
    public RoutePlan plan(Map<String, ModelGroup> models, RoutingTable table, RouteRequest request,
                          HealthView health, PriceBook prices, RandomGenerator random) {
        throw new UnsupportedOperationException("TODO");
    }

    /** The shadow target group for a request routed to {@code model}, or null (no shadow, or not this time). */
    public ModelGroup shadow(Map<String, ModelGroup> models, RoutingTable table, String model,
                             RandomGenerator random) {
        throw new UnsupportedOperationException("TODO");
    }
}
