package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters in this process: each replica enforces its limits on its own. The default store, and the fallback of
 * the shared one while it is unreachable.
 *
 * <p>Thread-safe and non-blocking in the event-loop sense: every stage is already complete when returned. Each
 * scope has its own lock; {@link #admit} takes the locks of its scopes in scope-name order (so two demands never
 * wait on each other in a cycle), checks every scope, then reserves on all of them or on none. Locks are held for a
 * few hundred nanoseconds, never across I/O.
 *
 * <p>Time comes only from the {@code now} of each call, never from a clock, so tests drive it. Scope state that
 * holds nothing live (end-user scopes come from client-supplied ids) is dropped by a sweep that runs at most once
 * a minute of that time, on whichever call comes first; spend of a period still running is never dropped.
 */
public final class LocalQuotaStore implements QuotaStore {
    private static final long SWEEP_EVERY_MILLIS = 60_000;

    private final ZoneId zone;
    private final ConcurrentHashMap<String, ScopeState> scopes = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

    /** @param zone the time zone of budget periods, to find the period of a settlement after a rollover */
    public LocalQuotaStore(ZoneId zone) {
        this.zone = requireNonNull(zone, "zone");
    }

    @Override
    public CompletionStage<Admission> admit(Demand demand) {
        return CompletableFuture.completedFuture(admitNow(demand));
    }

    /** {@link #admit}, without the stage: what a caller on the same thread can use directly. */
    public Admission admitNow(Demand demand) {
        List<QuotaCheck> checks = demand.checks();
        Instant now = demand.now();
        long current = MinuteWindow.bucket(now);
        long nowMillis = now.toEpochMilli();
        ScopeState[] states = lockAll(checks);
        Admission admission;
        try {
            List<ScopeCounters> counters = new ArrayList<>(states.length);
            for (int i = 0; i < states.length; i++) {
                states[i].expireLeases(nowMillis);
                counters.add(states[i].counters(checks.get(i)));
            }
            admission = decide(demand, counters, states, current);
        } finally {
            for (ScopeState state : states) {
                state.lock.unlock();
            }
        }
        sweepIfDue(now);
        return admission;
    }

    private Admission decide(Demand demand, List<ScopeCounters> counters, ScopeState[] states, long current) {
        Instant now = demand.now();
        List<QuotaCheck> checks = demand.checks();
        for (int i = 0; i < states.length; i++) {
            Dimension refused = QuotaRules.refusal(counters.get(i), demand, current);
            if (refused != null) {
                return new Admission.Denied(QuotaRules.denial(counters.get(i), refused, demand, current),
                        QuotaRules.headers(counters, current, now));
            }
        }
        long expiresAt = now.plus(demand.leaseTtl()).toEpochMilli();
        for (int i = 0; i < states.length; i++) {
            states[i].reserve(demand.requestId(), current, checks.get(i).requests(), demand.tokens(),
                    demand.cost().nanos(), expiresAt);
        }
        // The counters read the live windows, so the headers already include this request.
        return new Admission.Granted(new SettleOnce(demand, current, this::settle),
                QuotaRules.headers(counters, current, now));
    }

    @Override
    public CompletionStage<Void> seed(String scope, PeriodWindow window, Money spent) {
        requireNonNull(window, "window");
        ScopeState state = lockLive(scope);
        try {
            state.seed(window, spent.nanos());
        } finally {
            state.lock.unlock();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<ScopeUsage> usage(QuotaCheck check, Instant now) {
        ScopeState state = scopes.get(check.scope());
        if (state == null) {
            return CompletableFuture.completedFuture(
                    new ScopeUsage(check.scope(), 0, 0, 0, Money.ZERO, Money.ZERO));
        }
        state.lock.lock();
        try {
            state.expireLeases(now.toEpochMilli());
            return CompletableFuture.completedFuture(state.usage(check, now));
        } finally {
            state.lock.unlock();
        }
    }

    /** Nothing to release: the counters are garbage once the store is unreachable. */
    @Override
    public void close() {
    }

    /** The states of {@code checks}, in their order, each locked; the locks are taken in scope-name order. */
    private ScopeState[] lockAll(List<QuotaCheck> checks) {
        int n = checks.size();
        int[] order = lockOrder(checks);
        ScopeState[] states = new ScopeState[n];
        while (true) {
            int locked = 0;
            boolean stale = false;
            for (; locked < n; locked++) {
                int i = order[locked];
                ScopeState state = scopes.computeIfAbsent(checks.get(i).scope(), ScopeState::new);
                state.lock.lock();
                states[i] = state;
                if (state.evicted) {
                    stale = true;
                    locked++;
                    break;
                }
            }
            if (!stale) {
                return states;
            }
            // A sweep dropped a state between our lookup and our lock: let go of everything and look up again.
            for (int k = 0; k < locked; k++) {
                states[order[k]].lock.unlock();
            }
        }
    }

    /** Indexes of {@code checks} sorted by scope (insertion sort: a demand has a handful of scopes). */
    private static int[] lockOrder(List<QuotaCheck> checks) {
        int n = checks.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            int j = i;
            String scope = checks.get(i).scope();
            while (j > 0 && checks.get(order[j - 1]).scope().compareTo(scope) > 0) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
            if (j > 0 && checks.get(order[j - 1]).scope().equals(scope)) {
                throw new IllegalArgumentException("scope checked twice in one demand: " + scope);
            }
        }
        return order;
    }

    private ScopeState lockLive(String scope) {
        while (true) {
            ScopeState state = scopes.computeIfAbsent(scope, ScopeState::new);
            state.lock.lock();
            if (!state.evicted) {
                return state;
            }
            state.lock.unlock();
        }
    }

    private void sweepIfDue(Instant now) {
        long due = nextSweep.get();
        long nowMillis = now.toEpochMilli();
        if (nowMillis < due || !nextSweep.compareAndSet(due, nowMillis + SWEEP_EVERY_MILLIS)) {
            return;
        }
        for (ScopeState state : scopes.values()) {
            // A busy state is live by definition; skip it rather than wait on an event loop.
            if (state.lock.tryLock()) {
                try {
                    state.expireLeases(nowMillis);
                    if (state.idle(now)) {
                        state.evicted = true;
                        scopes.remove(state.scope, state);
                    }
                } finally {
                    state.lock.unlock();
                }
            }
        }
    }

    /** Number of scopes with state, for tests of eviction. */
    int scopeCount() {
        return scopes.size();
    }

    /** Settles on each scope in turn: settlement needs no cross-scope atomicity, only each scope's own. */
    private CompletionStage<List<BudgetCrossing>> settle(Demand demand, long bucket, long tokens, Money cost,
                                                         Instant now) {
        List<QuotaCheck> checks = demand.checks();
        List<BudgetCrossing> crossings = new ArrayList<>(0);
        long tokenDelta = tokens - demand.tokens();
        for (int i = 0; i < checks.size(); i++) {
            QuotaCheck check = checks.get(i);
            ScopeState state = lockLive(check.scope());
            try {
                state.settle(demand.requestId(), check, bucket, tokenDelta, cost, now, zone, crossings);
            } finally {
                state.lock.unlock();
            }
        }
        return CompletableFuture.completedFuture(crossings.isEmpty() ? List.of() : List.copyOf(crossings));
    }
}
