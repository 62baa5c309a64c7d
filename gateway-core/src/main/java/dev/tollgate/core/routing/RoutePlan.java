package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.pricing.PriceBook;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The route of one request: which tier and variant it took, and the cursor over its candidates. The first
 * candidate is chosen by the group's rules and strategy among its available deployments; after a failure
 * {@link #next} decides, by the kind of failure, between retrying the same deployment, another deployment of the
 * group, a fallback group, and giving up. Not thread-safe: one exchange's event loop owns it.
 *
 * <p>The candidates are a walk over groups, depth first: the request's groups (a tier's in order), each followed
 * by its own {@code onError} fallbacks (and theirs) before the next, because a group's fallbacks are what its
 * admin chose to stand in for it, while a tier's next group is a different model. Each group is entered at most
 * once, so a cycle in the config ends. A group is ordered when it is entered; whether each deployment can take the request is asked only when
 * the walk reaches it, since health changes while a request waits and retries.
 */
public final class RoutePlan {
    /** The error code of "no deployment can take the request now" (every candidate unavailable). */
    public static final String NO_DEPLOYMENT = "no_healthy_deployment";
    /** Below this share of its upstream quota left, a deployment goes after the others of its band. */
    static final double LOW_HEADROOM = 0.05;

    private final Router router;
    private final String model;
    private final String tier;
    private final String tierRule;
    private final String variant;
    private final Map<String, ModelGroup> models;
    private final RouteRequest request;
    private final HealthView health;
    private final PriceBook prices;
    private final RandomGenerator random;
    private final Resilience.Retries retries;
    private final int sameLimit;

    private final Set<String> entered = new HashSet<>();
    private final List<String> tried = new ArrayList<>();
    private Deque<Step> walk = new ArrayDeque<>();
    private boolean started;
    private Candidate current;
    private int attempts;
    private int sameRetries;
    private boolean fellBack;
    /** The first send was counted in the retry budget. */
    private boolean counted;
    private long promptTokens = -1;
    /** The soonest any skipped deployment may take requests again; null while none was skipped. */
    private Duration soonest;

    /** @param groups the request's own groups: the one it resolved to, then the rest of its tier */
    RoutePlan(Router router, List<String> groups, String tier, String tierRule, String variant,
              Map<String, ModelGroup> models, RoutingTable table, RouteRequest request, HealthView health,
              PriceBook prices, RandomGenerator random) {
        this.router = router;
        this.model = groups.getFirst();
        this.tier = tier;
        this.tierRule = tierRule;
        this.variant = variant;
        this.models = models;
        this.request = request;
        this.health = health;
        this.prices = prices;
        this.random = random;
        this.retries = table.resilience().retries();
        this.sameLimit = request.options().retries() >= 0 ? request.options().retries() : retries.sameDeployment();
        for (String group : fallbacksOn() ? groups : groups.subList(0, 1)) {
            walk.addLast(new Enter(group, null));
        }
    }

    /** The model group the request resolved to (before any fallback). */
    public String model() {
        return model;
    }

    /** The tier the request went to, or null when it named a model group. */
    public String tier() {
        return tier;
    }

    /** The automatic-tier rule that chose the tier, or null (a default, or no automatic selection). */
    public String tierRule() {
        return tierRule;
    }

    /** {@code <split name>/<variant model>} when a split assigned the request, else null. */
    public String variant() {
        return variant;
    }

    /**
     * The first candidate, or a {@link RetryDecision.GiveUp} with a 503 ({@link #NO_DEPLOYMENT}, {@code retryAfter}
     * set to the soonest recovery) when no candidate of the walk (the request's groups and their fallbacks) is
     * available. Called once.
     */
    public RetryDecision first() {
        if (started) {
            throw new IllegalStateException("first() is called once");
        }
        started = true;
        Candidate candidate = nextAvailable();
        if (candidate == null) {
            return new RetryDecision.GiveUp(noDeployment());
        }
        attempt(candidate);
        return new RetryDecision.TryNext(candidate);
    }

    /**
     * The request was sent upstream. The first send earns the retry budget its share: a request refused before
     * reaching any provider (by a limit, say) must not raise the allowance of retries for the others.
     */
    public void sent() {
        if (!counted) {
            counted = true;
            router.firstAttempt();
        }
    }

    /** The first available candidate, without starting the plan or counting an attempt (a shadow's target). */
    Candidate peek() {
        return nextAvailable();
    }

    /**
     * What to do after the current candidate failed with {@code error} before the response was committed.
     *
     * <ul>
     *   <li>Not retryable, and not a context-length or content-filter refusal: {@link RetryDecision.GiveUp} with
     *       the error as it is (a client error stays the client's).</li>
     *   <li>Context too long: the first available deployment of the {@code onContextTooLong} fallbacks, else give
     *       up. Content filter: likewise with {@code onContentFilter}.</li>
     *   <li>Rate limited by the provider: never the same deployment before its {@code retryAfter}; another
     *       available deployment of the group, then the {@code onError} fallbacks; with none left, wait out the
     *       {@code retryAfter} on the same deployment when it is within {@code maxRetryAfter} and {@code left},
     *       else give up with the error (its {@code retryAfter} kept for the client).</li>
     *   <li>Other retryable errors: another available deployment of the group, then the {@code onError} fallbacks;
     *       with none left, the same deployment again (up to {@code sameDeployment} times, exponential backoff
     *       with full jitter, at least the error's {@code retryAfter}), if the wait fits in {@code left}.</li>
     * </ul>
     * Every decision other than giving up takes one retry from the budget (no budget: give up), and no request
     * makes more than {@code maxAttempts} attempts. Fallbacks are skipped when the client turned them off.
     *
     * <p>Waits on the same deployment count against {@code sameDeployment} (or the client's retries) whatever
     * the failure, and no wait longer than {@code maxRetryAfter} is taken: a longer {@code Retry-After} is the
     * client's to honour.
     *
     * @param left time until the request's deadline
     */
    public RetryDecision next(GatewayError error, Duration left) {
        requireNonNull(error, "error");
        if (current == null) {
            throw new IllegalStateException("no candidate was tried");
        }
        if (attempts >= retries.maxAttempts() || !left.isPositive()) {
            return new RetryDecision.GiveUp(error);
        }
        Fallbacks fallbacks = current.group().policy().fallbacks();
        return switch (error.kind()) {
            case CONTEXT_TOO_LONG -> fallBack(fallbacks.onContextTooLong(), error);
            case CONTENT_FILTERED -> fallBack(fallbacks.onContentFilter(), error);
            case PROVIDER_RATE_LIMITED -> afterRateLimit(error, left);
            default -> error.retryable() ? afterFailure(error, left) : new RetryDecision.GiveUp(error);
        };
    }

    /**
     * The current candidate turned out unavailable just before it was sent (its circuit opened, its bulkhead
     * filled): the next candidate, without counting an attempt or spending the retry budget, or a 503 when none
     * is left.
     *
     * @param retryIn how long until the current candidate may take requests again
     */
    public RetryDecision unavailable(Duration retryIn) {
        requireNonNull(retryIn, "retryIn");
        if (current == null) {
            throw new IllegalStateException("no candidate was tried");
        }
        attempts--;
        tried.removeLast();
        noteUnavailable(retryIn);
        Candidate candidate = nextAvailable();
        if (candidate == null) {
            return new RetryDecision.GiveUp(noDeployment());
        }
        attempt(candidate);
        return new RetryDecision.TryNext(candidate);
    }

    /** Attempts made so far (the first counts). */
    public int attempts() {
        return attempts;
    }

    /** Deployment ids tried so far, in order (a retry of the same one is listed again). */
    public List<String> tried() {
        return List.copyOf(tried);
    }

    /** Whether a fallback group (not just another deployment of the same group) was tried. */
    public boolean fellBack() {
        return fellBack;
    }

    /** A refusal another group may not share: only the given fallbacks are tried, in place of the rest. */
    private RetryDecision fallBack(List<String> groups, GatewayError error) {
        if (!fallbacksOn()) {
            return new RetryDecision.GiveUp(error);
        }
        walk = new ArrayDeque<>();
        for (String group : groups) {
            walk.addLast(new Enter(group, null));
        }
        return moveOn(nextAvailable(), error);
    }

    private RetryDecision afterRateLimit(GatewayError error, Duration left) {
        Candidate other = nextAvailable();
        if (other != null) {
            return moveOn(other, error);
        }
        Duration wait = error.retryAfter() != null ? error.retryAfter() : backoff(sameRetries + 1);
        return waitFor(wait, left, error);
    }

    private RetryDecision afterFailure(GatewayError error, Duration left) {
        Candidate other = nextAvailable();
        if (other != null) {
            return moveOn(other, error);
        }
        Duration wait = backoff(sameRetries + 1);
        if (error.retryAfter() != null && error.retryAfter().compareTo(wait) > 0) {
            wait = error.retryAfter();
        }
        return waitFor(wait, left, error);
    }

    private RetryDecision moveOn(Candidate candidate, GatewayError error) {
        if (candidate == null || !router.tryRetry(retries)) {
            return new RetryDecision.GiveUp(error);
        }
        attempt(candidate);
        return new RetryDecision.TryNext(candidate);
    }

    private RetryDecision waitFor(Duration wait, Duration left, GatewayError error) {
        if (sameRetries >= sameLimit || wait.compareTo(retries.maxRetryAfter()) > 0 || wait.compareTo(left) > 0
                || !router.tryRetry(retries)) {
            return new RetryDecision.GiveUp(error);
        }
        sameRetries++;
        attempts++;
        tried.add(current.deployment().id());
        return new RetryDecision.RetrySame(wait);
    }

    /** Full jitter over {@code backoff * 2^(n-1)}, capped at {@code maxBackoff}. */
    private Duration backoff(int n) {
        long base = retries.backoff().toNanos();
        long cap = retries.maxBackoff().toNanos();
        if (n - 1 < Long.SIZE - 1 && base <= cap >> (n - 1)) {
            cap = base << (n - 1);
        }
        return Duration.ofNanos(random.nextLong(cap + 1));
    }

    private void attempt(Candidate candidate) {
        current = candidate;
        sameRetries = 0;
        attempts++;
        tried.add(candidate.deployment().id());
        if (!candidate.group().name().equals(model)) {
            fellBack = true;
        }
    }

    /** The next deployment of the walk that can take the request now, entering groups on the way; null at the end. */
    private Candidate nextAvailable() {
        while (!walk.isEmpty()) {
            switch (walk.pollFirst()) {
                case Enter enter -> enter(enter.group(), enter.lastResort());
                case LastResorts resorts -> {
                    for (Offer offer : resorts.offers().reversed()) {
                        walk.addFirst(offer);
                    }
                }
                case Offer offer -> {
                    Duration wait = health.unavailableFor(offer.deployment());
                    if (!wait.isPositive()) {
                        return new Candidate(offer.group(), offer.deployment());
                    }
                    noteUnavailable(wait);
                }
            }
        }
        return null;
    }

    /**
     * Puts the group's deployments at the front of the walk, followed by its {@code onError} fallbacks. A
     * deployment whose context window the prompt does not fit in is a last resort: it goes after the group's
     * other deployments and after its {@code onContextTooLong} fallbacks, used only when those have nothing that
     * fits either, in case the estimate was wrong.
     *
     * @param lastResort when the group is entered as such a context fallback, the last resorts of the group that
     *     sent it here, to which it adds its own; null otherwise
     */
    private void enter(String name, List<Offer> lastResort) {
        ModelGroup group = models.get(name);
        if (group == null || group.operation() != request.operation().servedBy() || !entered.add(name)) {
            return;
        }
        var steps = new ArrayList<Step>();
        var oversized = new ArrayList<Offer>();
        for (Deployment d : order(group)) {
            if (tooSmall(d)) {
                oversized.add(new Offer(group, d));
            } else {
                steps.add(new Offer(group, d));
            }
        }
        Fallbacks fallbacks = group.policy().fallbacks();
        if (!oversized.isEmpty()) {
            List<Offer> resorts = lastResort != null ? lastResort : new ArrayList<>();
            resorts.addAll(oversized);
            if (fallbacksOn()) {
                for (String other : fallbacks.onContextTooLong()) {
                    steps.add(new Enter(other, resorts));
                }
            }
            if (lastResort == null) {
                steps.add(new LastResorts(resorts));
            }
        }
        if (fallbacksOn()) {
            for (String other : fallbacks.onError()) {
                steps.add(new Enter(other, null));
            }
        }
        for (Step step : steps.reversed()) {
            walk.addFirst(step);
        }
    }

    /**
     * The group's deployments in the order to try them: those of the first matching route rule, then the rest;
     * each of those by ascending priority band, the strategy ordering each band, deployments short of upstream
     * quota last in their band.
     */
    private List<Deployment> order(ModelGroup group) {
        GroupPolicy policy = group.policy();
        if (group.deployments().size() == 1 && policy.rules().isEmpty()) {
            return group.deployments(); // the common case: nothing to choose, so nothing to read or allocate
        }
        var loads = new IdentityHashMap<Deployment, DeploymentLoad>();
        Function<Deployment, DeploymentLoad> load = d -> loads.computeIfAbsent(d, health::load);
        long turn = policy.strategy() == Strategy.ROUND_ROBIN ? router.turn(group.name()) : 0;
        BandOrder strategy = BandOrder.of(policy.strategy(), turn, load, prices);
        RouteRule rule = null;
        for (RouteRule r : policy.rules()) {
            if (r.when().test(request.features())) {
                rule = r;
                break;
            }
        }
        var selected = new ArrayList<Deployment>();
        var rest = new ArrayList<Deployment>();
        for (Deployment d : group.deployments()) {
            (rule != null && rule.selects(d) ? selected : rest).add(d);
        }
        var order = new ArrayList<Deployment>(group.deployments().size());
        addBands(selected, strategy, load, order);
        addBands(rest, strategy, load, order);
        return order;
    }

    private void addBands(List<Deployment> deployments, BandOrder strategy,
                          Function<Deployment, DeploymentLoad> load, List<Deployment> order) {
        var bands = new TreeMap<Integer, List<Deployment>>();
        for (Deployment d : deployments) {
            bands.computeIfAbsent(d.priority(), p -> new ArrayList<>()).add(d);
        }
        for (List<Deployment> band : bands.values()) {
            var low = new ArrayList<Deployment>();
            for (Deployment d : strategy.order(band, random)) {
                if (load.apply(d).quotaHeadroom() < LOW_HEADROOM) {
                    low.add(d);
                } else {
                    order.add(d);
                }
            }
            order.addAll(low);
        }
    }

    /** Estimating the prompt may mean decoding the body, so it is done only for a deployment with a window. */
    private boolean tooSmall(Deployment deployment) {
        if (deployment.contextWindow() <= 0) {
            return false;
        }
        if (promptTokens < 0) {
            promptTokens = request.features().promptTokens();
        }
        return promptTokens >= deployment.contextWindow();
    }

    private boolean fallbacksOn() {
        return request.options().fallbacks();
    }

    private void noteUnavailable(Duration wait) {
        if (soonest == null || wait.compareTo(soonest) < 0) {
            soonest = wait;
        }
    }

    private GatewayError noDeployment() {
        long seconds = 1;
        if (soonest != null) {
            seconds = Math.max(1, soonest.getSeconds() + (soonest.getNano() > 0 ? 1 : 0));
        }
        return new GatewayError(ErrorKind.PROVIDER_OVERLOADED, 503,
                "No deployment of the model '" + model + "' can take requests right now.", null,
                NO_DEPLOYMENT, Duration.ofSeconds(seconds));
    }

    /** One step of the walk over candidates. */
    private sealed interface Step permits Enter, Offer, LastResorts {
    }

    /**
     * Order a group's deployments into the walk (once per group).
     *
     * @param lastResort see {@link #enter}
     */
    private record Enter(String group, List<Offer> lastResort) implements Step {
    }

    /** The deployments too small for the prompt, of a group and the context fallbacks it led to. */
    private record LastResorts(List<Offer> offers) implements Step {
    }

    /** Try this deployment if it is available when reached. */
    private record Offer(ModelGroup group, Deployment deployment) implements Step {
    }
}
