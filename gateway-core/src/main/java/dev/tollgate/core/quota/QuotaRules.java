package dev.tollgate.core.quota;

import dev.tollgate.core.pricing.Money;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * The counting rules of {@link QuotaStore} as pure functions of a scope's counters, so every store refuses, explains
 * and reports alike (the Redis store decides inside its script, then explains here from the counters it returned).
 * Stateless and thread-safe; never blocks.
 */
public final class QuotaRules {
    /** A concurrency slot frees when some request ends, which nobody can predict: a short hint to try again. */
    public static final Duration CONCURRENCY_RETRY = Duration.ofSeconds(1);

    private QuotaRules() {
    }

    /**
     * The first dimension (requests, tokens, concurrency, budget) on which {@code demand} does not fit the scope
     * now, or null when it fits. A check that does not count the request is never refused on requests.
     */
    public static Dimension refusal(ScopeCounters scope, Demand demand, long current) {
        QuotaCheck check = scope.check();
        Limits limits = check.limits();
        if (check.countsRequest() && limits.rpm() > 0 && scope.requests().total(current) + 1 > limits.rpm()) {
            return Dimension.REQUESTS;
        }
        if (limits.tpm() > 0 && scope.tokens().total(current) + demand.tokens() > limits.tpm()) {
            return Dimension.TOKENS;
        }
        if (limits.concurrent() > 0 && scope.concurrent() + 1 > limits.concurrent()) {
            return Dimension.CONCURRENT;
        }
        Budget budget = check.budget();
        if (budget != null && scope.spent() + scope.reserved() + demand.cost().nanos() > budget.limit().nanos()) {
            return Dimension.BUDGET;
        }
        return null;
    }

    /** Explains a refusal on {@code dimension} from the counters before the demand (nothing was reserved). */
    public static Denial denial(ScopeCounters scope, Dimension dimension, Demand demand, long current) {
        QuotaCheck check = scope.check();
        Limits limits = check.limits();
        Instant now = demand.now();
        return switch (dimension) {
            case REQUESTS -> new Denial(check.scope(), dimension, limits.rpm(), scope.requests().total(current), 0,
                    scope.requests().untilFits(current, now, 1, limits.rpm()), null);
            case TOKENS -> new Denial(check.scope(), dimension, limits.tpm(), scope.tokens().total(current), 0,
                    scope.tokens().untilFits(current, now, demand.tokens(), limits.tpm()), null);
            case CONCURRENT -> new Denial(check.scope(), dimension, limits.concurrent(), scope.concurrent(), 0,
                    CONCURRENCY_RETRY, null);
            case BUDGET -> new Denial(check.scope(), dimension, check.budget().limit().nanos(), scope.spent(),
                    scope.reserved(), null, check.window().end());
        };
    }

    /**
     * The rate-limit headers: for requests and for tokens, the limited scope with the least remaining. Pass the
     * counters after the reservation for a granted demand, before it for a denied one.
     */
    public static RateHeaders headers(List<ScopeCounters> scopes, long current, Instant now) {
        ScopeCounters requests = null;
        long requestsLeft = Long.MAX_VALUE;
        ScopeCounters tokens = null;
        long tokensLeft = Long.MAX_VALUE;
        for (int i = 0; i < scopes.size(); i++) {
            ScopeCounters scope = scopes.get(i);
            Limits limits = scope.check().limits();
            if (limits.rpm() > 0) {
                long left = Math.max(0, limits.rpm() - scope.requests().total(current));
                if (left < requestsLeft) {
                    requests = scope;
                    requestsLeft = left;
                }
            }
            if (limits.tpm() > 0) {
                long left = Math.max(0, limits.tpm() - scope.tokens().total(current));
                if (left < tokensLeft) {
                    tokens = scope;
                    tokensLeft = left;
                }
            }
        }
        if (requests == null && tokens == null) {
            return RateHeaders.NONE;
        }
        return new RateHeaders(
                requests == null ? -1 : requests.check().limits().rpm(),
                requests == null ? -1 : requestsLeft,
                requests == null ? Duration.ZERO : requests.requests().untilNextDrop(current, now),
                tokens == null ? -1 : tokens.check().limits().tpm(),
                tokens == null ? -1 : tokensLeft,
                tokens == null ? Duration.ZERO : tokens.tokens().untilNextDrop(current, now));
    }

    /**
     * Adds to {@code into} every alert threshold of {@code budget} that a settlement taking the spend from
     * {@code before} to {@code after} (nano-dollars) crossed: {@code before < threshold * limit <= after}.
     */
    public static void crossings(String scope, Budget budget, PeriodWindow window, long before, long after,
                                 List<BudgetCrossing> into) {
        long limit = budget.limit().nanos();
        List<Double> alerts = budget.alerts();
        for (int i = 0; i < alerts.size(); i++) {
            double threshold = alerts.get(i);
            // With whole nano-dollars, "before < x <= after" for a real x is "before < ceil(x) <= after".
            long mark = (long) Math.ceil(threshold * limit);
            if (before < mark && mark <= after) {
                into.add(new BudgetCrossing(scope, threshold, new Money(after), budget.limit(), window));
            }
        }
    }

    /** The budget period containing {@code now}: the admission's window, or the next one after a rollover. */
    public static PeriodWindow windowAt(QuotaCheck check, Instant now, ZoneId zone) {
        PeriodWindow window = check.window();
        if (!now.isBefore(window.start()) && now.isBefore(window.end())) {
            return window;
        }
        return check.budget().period().window(now, zone);
    }
}
