package dev.tollgate.core.quota;

import dev.tollgate.core.pricing.Money;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The counters of one scope in a {@link LocalQuotaStore}. Every method except {@link #lock} needs the lock held;
 * {@link #evicted} is set under it when the store drops the state, so a thread that locked a stale state retries.
 */
final class ScopeState {
    private static final Comparator<Lease> BY_EXPIRY =
            Comparator.comparingLong(Lease::expiresAt).thenComparingLong(Lease::sequence);

    final String scope;
    final ReentrantLock lock = new ReentrantLock();
    boolean evicted;

    private final MinuteWindow requests = new MinuteWindow();
    private final MinuteWindow tokens = new MinuteWindow();
    private final Map<String, Lease> leases = new HashMap<>();
    private final TreeSet<Lease> byExpiry = new TreeSet<>(BY_EXPIRY);
    private long leaseSequence;
    private long reserved;
    // Usually one entry: the current period. Several only around a rollover or after a change of period.
    private final List<Spend> spend = new ArrayList<>(1);

    ScopeState(String scope) {
        this.scope = scope;
    }

    /** Frees the slots and reservations of requests whose lease ran out by {@code nowMillis}. */
    void expireLeases(long nowMillis) {
        while (!byExpiry.isEmpty() && byExpiry.first().expiresAt() <= nowMillis) {
            Lease lease = byExpiry.pollFirst();
            leases.remove(lease.requestId());
            reserved -= lease.cost();
        }
    }

    ScopeCounters counters(QuotaCheck check) {
        long spent = check.budget() == null ? 0 : spent(check.window());
        return new ScopeCounters(check, requests, tokens, leases.size(), spent, reserved);
    }

    void reserve(String requestId, long bucket, long demandRequests, long demandTokens, long cost, long expiresAt) {
        requests.add(bucket, demandRequests);
        tokens.add(bucket, demandTokens);
        Lease lease = new Lease(requestId, expiresAt, cost, leaseSequence++);
        Lease previous = leases.put(requestId, lease);
        if (previous != null) {
            // A request id admitted twice holds one slot: the newer reservation replaces the older.
            byExpiry.remove(previous);
            reserved -= previous.cost();
        }
        byExpiry.add(lease);
        reserved += cost;
    }

    /**
     * Settles one request here: frees its slot and reserved cost if its lease is still held, corrects its token
     * estimate (a shortfall is given back only while the lease is held, as the Redis store does, where a release
     * after a lost answer must not give back tokens an admission that never ran did not take), and charges
     * {@code cost} to the budget period containing {@code now}.
     */
    void settle(String requestId, QuotaCheck check, long reservedBucket, long tokenDelta, Money cost, Instant now,
                ZoneId zone, List<BudgetCrossing> crossings) {
        Lease lease = leases.remove(requestId);
        if (lease != null) {
            byExpiry.remove(lease);
            reserved -= lease.cost();
        }
        long current = MinuteWindow.bucket(now);
        if (tokenDelta < 0 && lease != null) {
            tokens.giveBack(reservedBucket, -tokenDelta, current);
        } else if (tokenDelta > 0) {
            tokens.add(current, tokenDelta);
        }
        Budget budget = check.budget();
        if (budget != null && !cost.isZero()) {
            PeriodWindow window = QuotaRules.windowAt(check, now, zone);
            Spend entry = spendEntry(window);
            long before = entry.nanos;
            entry.nanos = Math.addExact(before, cost.nanos());
            QuotaRules.crossings(scope, budget, window, before, entry.nanos, crossings);
        }
    }

    void seed(PeriodWindow window, long nanos) {
        Spend entry = spendEntry(window);
        entry.nanos = Math.max(entry.nanos, nanos);
    }

    ScopeUsage usage(QuotaCheck check, Instant now) {
        long current = MinuteWindow.bucket(now);
        long spent = check.budget() == null ? 0 : spent(check.window());
        return new ScopeUsage(scope, requests.total(current), tokens.total(current), leases.size(), new Money(spent),
                new Money(reserved));
    }

    /**
     * True when dropping this state loses nothing: no counted bucket, no lease, no spend of a period still running.
     * Spend of ended periods is dropped on the way; spend of a running period is money and is never evicted.
     */
    boolean idle(Instant now) {
        spend.removeIf(s -> !s.window.end().isAfter(now));
        long current = MinuteWindow.bucket(now);
        return leases.isEmpty() && spend.isEmpty() && !requests.holdsAnything(current)
                && !tokens.holdsAnything(current);
    }

    private long spent(PeriodWindow window) {
        for (int i = 0; i < spend.size(); i++) {
            if (spend.get(i).window.equals(window)) {
                return spend.get(i).nanos;
            }
        }
        return 0;
    }

    private Spend spendEntry(PeriodWindow window) {
        for (int i = 0; i < spend.size(); i++) {
            if (spend.get(i).window.equals(window)) {
                return spend.get(i);
            }
        }
        Spend entry = new Spend(window);
        spend.add(entry);
        return entry;
    }

    /** A request's hold on this scope: a concurrency slot and its reserved cost, until settled or expired. */
    private record Lease(String requestId, long expiresAt, long cost, long sequence) {
    }

    private static final class Spend {
        final PeriodWindow window;
        long nanos;

        Spend(PeriodWindow window) {
            this.window = window;
        }
    }
}
