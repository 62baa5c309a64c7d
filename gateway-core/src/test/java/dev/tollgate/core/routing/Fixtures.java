package dev.tollgate.core.routing;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.pricing.PriceBook;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.spi.Operation;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/** Deployments, groups, requests and a health view for routing tests; no network, no wall clock. */
final class Fixtures {
    static final Provider P = new Provider("p", "openai", URI.create("http://127.0.0.1:1/v1"), null,
            "authorization", List.of(), Timeouts.DEFAULTS, null, null);
    static final PriceBook NO_PRICES = PriceBook.builtIn();

    private Fixtures() {
    }

    static Deployment d(String id, int weight) {
        return new Deployment(id, P, id, weight, Limits.NONE);
    }

    static Deployment d(String id, int weight, int priority) {
        return new Deployment(id, P, id, weight, Limits.NONE, priority, 0, Map.of(), null);
    }

    static Deployment tagged(String id, Map<String, String> tags) {
        return new Deployment(id, P, id, 1, Limits.NONE, 0, 0, tags, null);
    }

    static Deployment windowed(String id, long contextWindow) {
        return new Deployment(id, P, id, 1, Limits.NONE, 0, contextWindow, Map.of(), null);
    }

    static ModelGroup group(String name, Strategy strategy, Deployment... deployments) {
        return new ModelGroup(name, Operation.CHAT, List.of(deployments),
                new GroupPolicy(strategy, List.of(), Fallbacks.NONE));
    }

    static ModelGroup group(String name, Fallbacks fallbacks, Deployment... deployments) {
        return new ModelGroup(name, Operation.CHAT, List.of(deployments),
                new GroupPolicy(Strategy.WEIGHTED, List.of(), fallbacks));
    }

    static Fallbacks onError(String... groups) {
        return new Fallbacks(List.of(groups), List.of(), List.of());
    }

    static Map<String, ModelGroup> models(ModelGroup... groups) {
        var models = new LinkedHashMap<String, ModelGroup>();
        for (ModelGroup g : groups) {
            models.put(g.name(), g);
        }
        return models;
    }

    static RouteRequest request(String model) {
        return request(model, new Features());
    }

    static RouteRequest request(String model, Features features) {
        return new RouteRequest(model, null, Operation.CHAT, features, name -> true, null, RequestOptions.DEFAULTS);
    }

    static RouteRequest request(String model, Predicate<String> allowed) {
        return new RouteRequest(model, null, Operation.CHAT, new Features(), allowed, null, RequestOptions.DEFAULTS);
    }

    static RouteRequest request(String model, RequestOptions options) {
        return new RouteRequest(model, null, Operation.CHAT, new Features(), name -> true, null, options);
    }

    static Router router() {
        return new Router(new RetryBudget(), new AtomicLong()::get);
    }

    /** The first deployment a fresh plan of {@code model} picks. */
    static String first(Router router, Map<String, ModelGroup> models, RouteRequest request, HealthView health,
                        PriceBook prices, RandomGenerator random) {
        RoutePlan plan = router.plan(models, RoutingTable.DEFAULT, request, health, prices, random);
        return ((RetryDecision.TryNext) plan.first()).candidate().deployment().id();
    }

    /** The error {@link Router#plan} refuses the request with. */
    static GatewayError refusal(Runnable plan) {
        try {
            plan.run();
        } catch (GatewayException e) {
            return e.error();
        }
        throw new AssertionError("the plan was not refused");
    }

    /** A fixed, editable health view: everything available with unknown load unless set. */
    static final class Health implements HealthView {
        final Map<String, Duration> down = new HashMap<>();
        final Map<String, DeploymentLoad> loads = new HashMap<>();

        Health down(String id, Duration forHowLong) {
            down.put(id, forHowLong);
            return this;
        }

        Health load(String id, DeploymentLoad load) {
            loads.put(id, load);
            return this;
        }

        @Override
        public Duration unavailableFor(Deployment deployment) {
            return down.getOrDefault(deployment.id(), Duration.ZERO);
        }

        @Override
        public DeploymentLoad load(Deployment deployment) {
            return loads.getOrDefault(deployment.id(), DeploymentLoad.UNKNOWN);
        }
    }

    /** Request features with settable fields; counts how often the prompt was estimated. */
    static final class Features implements RequestFeatures {
        long promptTokens = 10;
        int promptEstimates;
        boolean tools;
        String text = "";
        String key = "k1";
        String team;

        @Override
        public long promptTokens() {
            promptEstimates++;
            return promptTokens;
        }

        @Override
        public boolean hasTools() {
            return tools;
        }

        @Override
        public boolean hasImages() {
            return false;
        }

        @Override
        public boolean jsonMode() {
            return false;
        }

        @Override
        public String lastUserText() {
            return text;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public String team() {
            return team;
        }

        @Override
        public String header(String name) {
            return null;
        }

        @Override
        public Map<String, String> metadata() {
            return Map.of();
        }
    }
}
