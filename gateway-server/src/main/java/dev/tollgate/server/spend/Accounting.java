package dev.tollgate.server.spend;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.access.PerUser;
import dev.tollgate.core.access.Team;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.pricing.PriceBook;
import dev.tollgate.core.pricing.TokenCounter;
import dev.tollgate.core.pricing.Unpriced;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Demand;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.quota.QuotaStore;
import dev.tollgate.core.quota.Reservation;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.server.access.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns config (keys, teams, budgets, prices) into what a request reserves, and a finished request into a charge.
 * Called on event loops: quoting is pure CPU (the token count runs only when a token limit or a budget needs it, and
 * the exchange takes a large request's count to a worker thread through {@link #complete}), admission and
 * settlement go to the {@link QuotaStore}, which never blocks.
 */
public final class Accounting {
    /** A lease outlives the request's deadline by this much before the store may reclaim it. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(Accounting.class.getName());
    private static final String DEPLOYMENT_SCOPE = "deployment:";

    /**
     * Measures a request only when asked: the token count is the costly part of a quote. May be called on a worker
     * thread (see {@link #complete}): it then reads only what nothing else touches meanwhile.
     */
    @FunctionalInterface
    public interface Sizer {
        RequestSize measure(TokenCounter counter);
    }

    /** The price book of one snapshot: built-in prices with that config's overrides. */
    private record Book(RuntimeSnapshot snapshot, PriceBook book) {}

    private final QuotaStore store;
    private final TokenCounter counter;
    private final BudgetAlerts alerts;
    private final Clock clock;
    private final PriceBook builtIn = PriceBook.builtIn();
    private volatile Book book;

    public Accounting(QuotaStore store, TokenCounter counter, BudgetAlerts alerts, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.counter = requireNonNull(counter, "counter");
        this.alerts = requireNonNull(alerts, "alerts");
        this.clock = requireNonNull(clock, "clock");
    }

    public Clock clock() {
        return clock;
    }

    /** The price of a deployment under a snapshot's overrides, or null. */
    private Price price(RuntimeSnapshot snapshot, Deployment d) {
        return prices(snapshot).find(d);
    }

    /** The most output tokens the deployment's model answers with, from its price entry; 0 when unknown. */
    public long maxOutputTokens(RuntimeSnapshot snapshot, Deployment d) {
        Price price = price(snapshot, d);
        return price == null ? 0 : price.maxOutputTokens();
    }

    /**
     * The deployments of {@code snapshot} that have no price: served while no budget applies, with their ledger
     * rows marked as estimated, and named in a startup warning so that nothing runs free unnoticed.
     */
    public List<String> unpriced(RuntimeSnapshot snapshot) {
        List<String> ids = new ArrayList<>();
        for (ModelGroup group : snapshot.models().values()) {
            for (Deployment d : group.deployments()) {
                if (price(snapshot, d) == null) {
                    ids.add(d.id());
                }
            }
        }
        return ids;
    }

    /** The counter scope of a deployment's own limits. */
    static String deploymentScope(Deployment deployment) {
        return DEPLOYMENT_SCOPE + deployment.id();
    }

    /** Whether a counter scope is a deployment's own (an upstream's quota) rather than a caller's. */
    public static boolean isDeploymentScope(String scope) {
        return scope.startsWith(DEPLOYMENT_SCOPE);
    }

    /** The counter scope of one end user of a key. */
    public static String userScope(String keyName, String user) {
        return "user:" + keyName + ":" + user;
    }

    /**
     * What the request must reserve, but for its size: the scopes that count it, its price, and whether it must be
     * measured, which {@link #complete} does. Cheap (no token count). Throws {@link GatewayException} when the
     * request cannot be served: an unpriced model under a budget with {@link Unpriced#REJECT}.
     *
     * @param billable false for requests that cost nothing (token counting): only rate limits apply to them
     */
    public PendingQuote pending(RuntimeSnapshot snapshot, Caller caller, String model, Deployment deployment,
                                boolean billable) {
        AccessPolicy policy = snapshot.access();
        Instant now = clock.instant();
        List<QuotaCheck> checks = callerChecks(policy, caller, billable, now);
        if (!deployment.limits().none()) { // most deployments have none: no scope string to build then
            add(checks, deploymentScope(deployment), deployment.limits(), null, now, policy);
        }
        if (billable) {
            add(checks, AccessPolicy.GLOBAL_SCOPE, Limits.NONE, policy.globalBudget(), now, policy);
        }

        boolean budgeted = false;
        boolean tokenLimited = false;
        for (QuotaCheck check : checks) {
            budgeted |= check.budget() != null;
            tokenLimited |= check.limits().tpm() > 0;
        }
        Price price = price(snapshot, deployment);
        boolean fallback = false;
        if (price == null && budgeted) {
            if (policy.unpriced() == Unpriced.REJECT) {
                throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, 400, "The model '" + model
                        + "' has no price for its deployment '" + deployment.id() + "', and requests under a budget "
                        + "need one. Ask the gateway's admin to add it under `prices`.", "model", "model_unpriced",
                        null));
            }
            price = policy.unpricedPrice();
            fallback = true;
        }
        return new PendingQuote(checks, price, fallback, budgeted, tokenLimited);
    }

    /**
     * The quote of {@code pending}, measuring the request with {@code sizer} only when the quote needs its size.
     * Thread-safe (the counter is): a large request is measured off the event loop. Throws what the sizer throws:
     * {@link GatewayException} for a body the token count cannot read.
     */
    public Quote complete(PendingQuote pending, Sizer sizer) {
        return pending.needsSize() ? pending.sized(sizer.measure(counter)) : pending.unsized();
    }

    /**
     * What a request answered from the response cache takes: one request in the caller's windows (key, end user,
     * team), and nothing else. It reaches no deployment, uses no tokens and costs nothing, so no deployment quota,
     * token limit or budget applies, and a budget spent to the end does not stop a free answer.
     */
    public Quote quoteCached(RuntimeSnapshot snapshot, Caller caller) {
        return new Quote(callerChecks(snapshot.access(), caller, false, clock.instant()), 0, Money.ZERO, null, false);
    }

    /** The checks of the caller's own scopes: its key, its end user under that key, its team. */
    private static List<QuotaCheck> callerChecks(AccessPolicy policy, Caller caller, boolean billable, Instant now) {
        List<QuotaCheck> checks = new ArrayList<>(4);
        VirtualKey key = caller.key();
        if (key != null) {
            add(checks, key.scope(), key.limits(), billable ? key.budget() : null, now, policy);
            PerUser perUser = key.perUser();
            if (perUser != null && caller.user() != null) {
                add(checks, userScope(key.name(), caller.user()), perUser.limits(),
                        billable ? perUser.budget() : null, now, policy);
            }
        }
        Team team = caller.team();
        if (team != null) {
            add(checks, team.scope(), team.limits(), billable ? team.budget() : null, now, policy);
        }
        return checks;
    }

    private static void add(List<QuotaCheck> checks, String scope, Limits limits, Budget budget, Instant now,
                            AccessPolicy policy) {
        if (!limits.none() || budget != null) {
            checks.add(QuotaCheck.at(scope, limits, budget, now, policy.zone()));
        }
    }

    /** Reserves the quote on every scope; only for a {@link Quote#limited() limited} quote. */
    public CompletionStage<Admission> admit(Quote quote, String requestId, Duration deadline) {
        return store.admit(new Demand(requestId, quote.checks(), quote.tokens(), quote.cost(), clock.instant(),
                deadline.plus(LEASE_MARGIN)));
    }

    /** What the request costs for what it used. */
    public Charge charge(Quote quote, Usage usage) {
        if (usage.equals(Usage.UNKNOWN)) {
            return Charge.NOTHING; // nothing was generated, or nothing is known to have been: nothing to bill
        }
        if (quote.price() == null) {
            return new Charge(Money.ZERO, true);
        }
        if (quote.fallbackPrice()) {
            return new Charge(quote.cost(), true);
        }
        return new Charge(quote.price().cost(usage), !usage.reported());
    }

    /**
     * What a request to {@code deployment} costs for what it used, outside any reservation: for traffic no caller
     * pays for (a shadow copy), priced as a request with no budget would be.
     */
    public Charge charge(RuntimeSnapshot snapshot, Deployment deployment, Usage usage) {
        return charge(new Quote(List.of(), 0, Money.ZERO, price(snapshot, deployment), false), usage);
    }

    /** Settles a reservation with actual usage; alerts for crossed thresholds fire off the request path. */
    public void settle(Reservation reservation, Usage usage, Charge charge) {
        reservation.settle(usage.totalTokens(), charge.cost(), clock.instant()).whenComplete((crossings, e) -> {
            if (e != null) {
                LOG.log(Level.WARNING, "a settlement failed; the ledger keeps the charge: " + e);
                return;
            }
            crossings.forEach(alerts::fire);
        });
    }

    /** The price book of a snapshot: the built-in prices under its overrides (built once per snapshot). */
    public PriceBook prices(RuntimeSnapshot snapshot) {
        Book b = book;
        if (b == null || b.snapshot() != snapshot) {
            b = new Book(snapshot, builtIn.withOverrides(snapshot.prices()));
            book = b;
        }
        return b.book();
    }
}
