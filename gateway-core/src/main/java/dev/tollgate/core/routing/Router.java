package dev.tollgate.core.routing;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.pricing.PriceBook;
import dev.tollgate.core.spi.Operation;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Resolves a request to a {@link RoutePlan}: the header tier, a tier, an automatic-tier alias, a split or a model
 * group, then the group's candidates. One per process (it keeps the round-robin turns and the retry budget);
 * thread-safe. Pure apart from that state: health, prices and randomness come in as arguments, and time from the
 * clock it is built with.
 */
public final class Router {
    /** A shadow copy goes to its target group alone, once. */
    private static final RequestOptions SHADOW_OPTIONS = new RequestOptions(null, 0, false);

    private final RetryBudget budget;
    private final LongSupplier clock;
    /** The next round-robin turn of each group, by name, so that turns survive a config reload. */
    private final ConcurrentHashMap<String, AtomicLong> turns = new ConcurrentHashMap<>();

    /** @param clock nanoseconds on a fixed origin ({@code System::nanoTime}; a fake in tests) */
    public Router(RetryBudget budget, LongSupplier clock) {
        this.budget = budget;
        this.clock = clock;
    }

    /**
     * The plan for a request. Throws {@link GatewayException} with the client-facing error when the name is not a
     * model, tier, alias or split ({@code 404 model_not_found}), when the key may not ask for it
     * ({@code 403 model_not_allowed}), or when the group serves another operation ({@code 400
     * model_not_supported}). An unknown {@code x-tollgate-tier} header is a {@code 400 tier_not_found}.
     */
    public RoutePlan plan(Map<String, ModelGroup> models, RoutingTable table, RouteRequest request,
                          HealthView health, PriceBook prices, RandomGenerator random) {
        Route route = resolve(models, table, request, random);
        ModelGroup primary = models.get(route.groups().getFirst());
        if (primary == null) {
            throw notFound(route.groups().getFirst());
        }
        if (primary.operation() != request.operation().servedBy()) {
            String serves = primary.operation().name().toLowerCase(Locale.ROOT);
            throw new GatewayException(GatewayError.invalid("model", "model_not_supported",
                    "The model '" + primary.name() + "' serves " + serves + ", not this endpoint."));
        }
        return new RoutePlan(this, route.groups(), route.tier(), route.tierRule(), route.variant(), models, table,
                request, health, prices, random);
    }

    /**
     * Where a shadow copy of a request routed to {@code model} goes this time: the first available deployment of
     * the shadow's target group, or null (no shadow for the model, not drawn, or nothing available). A shadow is
     * not an attempt of the client's request: it takes nothing from the retry budget.
     */
    public Candidate shadow(Map<String, ModelGroup> models, RoutingTable table, String model,
                            RequestFeatures features, HealthView health, PriceBook prices, RandomGenerator random) {
        Shadow shadow = table.shadows().get(model);
        if (shadow == null || random.nextDouble() >= shadow.fraction() || !models.containsKey(shadow.target())) {
            return null;
        }
        var request = new RouteRequest(shadow.target(), null, Operation.CHAT, features, name -> true, null,
                SHADOW_OPTIONS);
        return new RoutePlan(this, List.of(shadow.target()), null, null, null, models, table, request, health,
                prices, random).peek();
    }

    private Route resolve(Map<String, ModelGroup> models, RoutingTable table, RouteRequest request,
                          RandomGenerator random) {
        String header = request.tierHeader();
        if (header != null) {
            Tier tier = table.tiers().get(header);
            if (tier == null) {
                throw new GatewayException(GatewayError.invalid(RouteRequest.TIER_HEADER, "tier_not_found",
                        "The tier '" + header + "' does not exist; the tiers are: "
                                + String.join(", ", table.tiers().keySet()) + "."));
            }
            requireAllowed(request, Tier.PREFIX + header);
            return Route.of(tier, null);
        }
        String model = request.model();
        if (model.startsWith(Tier.PREFIX)) {
            Tier tier = table.tiers().get(model.substring(Tier.PREFIX.length()));
            if (tier == null) {
                throw notFound(model);
            }
            requireAllowed(request, model);
            return Route.of(tier, null);
        }
        AutoTier auto = table.autoTier();
        if (auto.defaultTier() != null && auto.aliases().contains(model)) {
            // A key that may not ask for the alias may still reach the tiers it may ask for by name.
            Predicate<String> mayUse = request.allowed().test(model)
                    ? tier -> true
                    : tier -> request.allowed().test(Tier.PREFIX + tier);
            AutoTier.Choice choice = auto.choose(request.features(), mayUse);
            if (choice == null) {
                throw notAllowed(request, model);
            }
            Tier tier = table.tiers().get(choice.tier());
            if (tier == null) {
                throw notFound(Tier.PREFIX + choice.tier());
            }
            return Route.of(tier, choice.rule());
        }
        Split split = table.splits().get(model);
        if (split != null) {
            requireAllowed(request, model);
            Split.Variant variant = assign(split, request, random);
            return new Route(List.of(variant.model()), null, null, split.name() + "/" + variant.model());
        }
        if (!models.containsKey(model)) {
            throw notFound(model);
        }
        requireAllowed(request, model);
        return new Route(List.of(model), null, null, null);
    }

    /** The variant of a split for the request's key or user: always the same one for the same caller. */
    static Split.Variant assign(Split split, RouteRequest request, RandomGenerator random) {
        String key = request.features().key();
        String id = split.sticky() == Split.Sticky.USER && request.user() != null ? request.user() : key;
        return StickyDraw.pick(split.variants(), Split.Variant::weight, split.name(), id, random);
    }

    /** The group's round-robin turn for one request. */
    long turn(String group) {
        return turns.computeIfAbsent(group, g -> new AtomicLong()).getAndIncrement();
    }

    void firstAttempt() {
        budget.firstAttempt(clock.getAsLong());
    }

    boolean tryRetry(Resilience.Retries retries) {
        return budget.tryRetry(retries.budgetRatio(), retries.budgetFloor(), clock.getAsLong());
    }

    private static void requireAllowed(RouteRequest request, String name) {
        if (!request.allowed().test(name)) {
            throw notAllowed(request, name);
        }
    }

    private static GatewayException notAllowed(RouteRequest request, String name) {
        return new GatewayException(new GatewayError(ErrorKind.PERMISSION_DENIED, 403,
                "The API key '" + request.features().key() + "' may not use the model '" + name + "'.", "model",
                "model_not_allowed", null));
    }

    private static GatewayException notFound(String name) {
        return new GatewayException(new GatewayError(ErrorKind.MODEL_NOT_FOUND, 404,
                "The model '" + name + "' does not exist or you do not have access to it.", "model",
                "model_not_found", null));
    }

    /**
     * What a request resolved to.
     *
     * @param groups the group it goes to first, then the rest of its tier
     */
    private record Route(List<String> groups, String tier, String tierRule, String variant) {
        static Route of(Tier tier, String rule) {
            return new Route(tier.models(), tier.name(), rule, null);
        }
    }
}
