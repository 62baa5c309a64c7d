package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.BudgetCrossing;
import dev.tollgate.core.quota.Demand;
import dev.tollgate.core.quota.Dimension;
import dev.tollgate.core.quota.LocalQuotaStore;
import dev.tollgate.core.quota.MinuteWindow;
import dev.tollgate.core.quota.PeriodWindow;
import dev.tollgate.core.quota.QuotaCheck;
import dev.tollgate.core.quota.QuotaRules;
import dev.tollgate.core.quota.QuotaStore;
import dev.tollgate.core.quota.RateHeaders;
import dev.tollgate.core.quota.ScopeCounters;
import dev.tollgate.core.quota.ScopeUsage;
import dev.tollgate.core.quota.SettleOnce;
import dev.tollgate.core.runtime.StorageSettings.OnStoreFailure;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Rate-limit and budget counters in Redis, shared by every replica: each admission is one Lua script that checks
 * every scope and reserves on all of them or none, so N replicas enforce one limit. Counting rules are those of
 * {@link QuotaStore}; the scripts keep the same five-second ring as {@link MinuteWindow}, and denials, headers
 * and alert crossings are computed from the counters a script returns with the same {@link QuotaRules} as the
 * local store.
 *
 * <p>While Redis cannot answer (unreachable, or slower than the command timeout), a demand that includes a budget
 * follows the budget policy and any other the limits policy: {@link OnStoreFailure#FAIL_CLOSED} answers
 * {@link Admission.Unavailable}, {@link OnStoreFailure#LOCAL} answers from an embedded {@link LocalQuotaStore}
 * (and that admission's settlement stays there). One warning is logged per outage, one info line on recovery.
 *
 * <p>Thread-safe; no method blocks (except {@link #close}). Stages complete on Lettuce's threads, or inline for a
 * local answer; callers hop back to their own event loop.
 */
public final class RedisQuotaStore implements QuotaStore {
    /** What a command may take before Redis counts as unreachable. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    /** The Retry-After of a refusal while Redis is unreachable and the policy is to fail closed. */
    public static final Duration UNAVAILABLE_RETRY = Duration.ofSeconds(1);

    private static final Logger LOG = Logger.getLogger(RedisQuotaStore.class.getName());
    private static final LuaScript ADMIT = LuaScript.load("admit", "counters");
    private static final LuaScript USAGE = LuaScript.load("usage", "counters");
    private static final LuaScript SETTLE = LuaScript.load("settle", "counters");
    private static final LuaScript SEED = LuaScript.load("seed");
    /** Lease keys outlive their longest lease by this much, then abandoned ones vanish. */
    private static final long LEASE_KEY_GRACE_MILLIS = 60_000;
    /** Spend of a period is kept this long after the period ends, for late settlements and reports. */
    private static final long SPEND_GRACE_MILLIS = Duration.ofDays(1).toMillis();
    /** Arguments per scope of admit.lua: rpm, tpm, concurrent, budget limit, requests added. */
    private static final int ARGS_PER_SCOPE = 5;
    /** Counters per scope in a script's reply: 13 bucket ids, 13 request and 13 token counts, 3 totals. */
    private static final int REPLY_PER_SCOPE = 3 * MinuteWindow.SLOTS + 3;

    private final RedisLink<String, String> redis;
    private final QuotaKeys keys;
    private final OnStoreFailure limitsOnFailure;
    private final OnStoreFailure budgetsOnFailure;
    private final ZoneId zone;
    private final LocalQuotaStore local;
    private final AtomicBoolean reachable = new AtomicBoolean(true);

    /**
     * Starts connecting (without waiting): a Redis that is down now only makes the first calls take the failure
     * policy.
     *
     * @param redisUri {@code redis://host:port[/db]}
     * @param prefix prepended to every key, so several gateways or tests can share one server
     * @param zone the time zone of budget periods, to find the period of a settlement after a rollover
     * @param timeout per command; beyond it Redis counts as unreachable ({@link #DEFAULT_TIMEOUT})
     */
    public RedisQuotaStore(String redisUri, String prefix, OnStoreFailure limitsOnFailure,
                           OnStoreFailure budgetsOnFailure, ZoneId zone, Duration timeout) {
        this.keys = new QuotaKeys(prefix);
        this.limitsOnFailure = requireNonNull(limitsOnFailure, "limitsOnFailure");
        this.budgetsOnFailure = requireNonNull(budgetsOnFailure, "budgetsOnFailure");
        this.zone = requireNonNull(zone, "zone");
        this.local = new LocalQuotaStore(zone);
        this.redis = new RedisLink<>(redisUri, timeout, StringCodec.UTF8);
    }

    @Override
    public CompletionStage<Admission> admit(Demand demand) {
        List<QuotaCheck> checks = demand.checks();
        if (checks.isEmpty()) {
            return local.admit(demand);
        }
        int n = checks.size();
        long current = MinuteWindow.bucket(demand.now());
        String[] scriptKeys = new String[n * QuotaKeys.PER_SCOPE];
        String[] args = new String[7 + ARGS_PER_SCOPE * n];
        args[0] = demand.requestId();
        args[1] = Long.toString(demand.now().toEpochMilli());
        args[2] = Long.toString(current);
        args[3] = Long.toString(demand.tokens());
        args[4] = Long.toString(demand.cost().nanos());
        args[5] = Long.toString(demand.now().plus(demand.leaseTtl()).toEpochMilli());
        args[6] = Long.toString(demand.leaseTtl().toMillis() + LEASE_KEY_GRACE_MILLIS);
        for (int i = 0; i < n; i++) {
            QuotaCheck check = checks.get(i);
            keys.scope(check.scope(), check.window(), scriptKeys, i * QuotaKeys.PER_SCOPE);
            int a = 7 + ARGS_PER_SCOPE * i;
            args[a] = Long.toString(check.limits().rpm());
            args[a + 1] = Long.toString(check.limits().tpm());
            args[a + 2] = Integer.toString(check.limits().concurrent());
            args[a + 3] = check.budget() == null ? "-1" : Long.toString(check.budget().limit().nanos());
            args[a + 4] = Long.toString(check.requests());
        }
        return run(ADMIT, scriptKeys, args).handle((reply, error) -> {
            if (error == null) {
                return decide(demand, current, reply);
            }
            // The script may have run before its answer was lost (a timeout): undo it, best effort, or its slot and
            // reserved cost would stay held until the lease expires. A lease the script never took is left alone.
            settle(demand, current, 0, Money.ZERO, demand.now()).exceptionally(ignored -> List.of());
            return whileUnreachable(demand);
        });
    }

    private Admission decide(Demand demand, long current, List<Object> reply) {
        List<QuotaCheck> checks = demand.checks();
        List<ScopeCounters> counters = new ArrayList<>(checks.size());
        for (int i = 0; i < checks.size(); i++) {
            counters.add(counters(reply, 2 + i * REPLY_PER_SCOPE, checks.get(i)));
        }
        RateHeaders headers = QuotaRules.headers(counters, current, demand.now());
        int refused = (int) number(reply.get(0));
        if (refused == 0) {
            return new Admission.Granted(new SettleOnce(demand, current, this::settle), headers);
        }
        // The script's dimension codes follow Dimension's order: 1 requests, 2 tokens, 3 concurrent, 4 budget.
        Dimension dimension = Dimension.values()[(int) number(reply.get(1)) - 1];
        return new Admission.Denied(QuotaRules.denial(counters.get(refused - 1), dimension, demand, current),
                headers);
    }

    private Admission whileUnreachable(Demand demand) {
        boolean budgeted = false;
        for (QuotaCheck check : demand.checks()) {
            budgeted |= check.budget() != null;
        }
        OnStoreFailure policy = budgeted ? budgetsOnFailure : limitsOnFailure;
        return policy == OnStoreFailure.LOCAL
                ? local.admitNow(demand)
                : new Admission.Unavailable("the shared quota store (Redis) is unreachable", UNAVAILABLE_RETRY);
    }

    /**
     * Seeds this process's fallback counters too, so budgets hold from the ledger's sums even if Redis is down
     * when the gateway starts. The Redis key expires a day after the period ends (by this machine's clock).
     */
    @Override
    public CompletionStage<Void> seed(String scope, PeriodWindow window, Money spent) {
        local.seed(scope, window, spent);
        String[] scriptKeys = {keys.spend(scope, window)};
        String[] args = {Long.toString(spent.nanos()), spendTtl(window, Instant.now())};
        return run(SEED, scriptKeys, args).thenApply(reply -> null);
    }

    @Override
    public CompletionStage<ScopeUsage> usage(QuotaCheck check, Instant now) {
        String[] scriptKeys = new String[QuotaKeys.PER_SCOPE];
        keys.scope(check.scope(), check.window(), scriptKeys, 0);
        long current = MinuteWindow.bucket(now);
        String[] args = {
            Long.toString(now.toEpochMilli()), Long.toString(current), check.budget() == null ? "0" : "1"};
        return run(USAGE, scriptKeys, args).thenApply(reply -> {
            ScopeCounters scope = counters(reply, 0, check);
            return new ScopeUsage(check.scope(), scope.requests().total(current), scope.tokens().total(current),
                    scope.concurrent(), new Money(scope.spent()), new Money(scope.reserved()));
        });
    }

    @Override
    public void close() {
        redis.close();
        local.close();
    }

    private CompletionStage<List<Object>> run(LuaScript script, String[] scriptKeys, String[] args) {
        return redis.commands()
                .thenCompose(commands -> script.run(commands, scriptKeys, args))
                .whenComplete((reply, error) -> noteReachability(script, error));
    }

    /** Logs the first failure of an outage and the first success after it, not every request in between. */
    private void noteReachability(LuaScript script, Throwable error) {
        if (error == null) {
            if (reachable.compareAndSet(false, true)) {
                LOG.info("Redis answers again; quota counters are shared again");
            }
        } else if (reachable.compareAndSet(true, false)) {
            LOG.log(Level.WARNING, "Redis cannot answer (" + script + "); until it does, rate limits "
                    + describe(limitsOnFailure) + " and budgets " + describe(budgetsOnFailure), error);
        }
    }

    private static String describe(OnStoreFailure policy) {
        return policy == OnStoreFailure.LOCAL ? "are counted in this process only" : "refuse requests (503)";
    }

    /** One scope's counters from a script reply, starting at {@code offset} (see counters.lua: emit). */
    private static ScopeCounters counters(List<Object> reply, int offset, QuotaCheck check) {
        MinuteWindow requests = new MinuteWindow();
        MinuteWindow tokens = new MinuteWindow();
        int slots = MinuteWindow.SLOTS;
        for (int s = 0; s < slots; s++) {
            long bucket = number(reply.get(offset + s));
            requests.load(s, bucket, number(reply.get(offset + slots + s)));
            tokens.load(s, bucket, number(reply.get(offset + 2 * slots + s)));
        }
        int totals = offset + 3 * slots;
        return new ScopeCounters(check, requests, tokens, (int) number(reply.get(totals)),
                number(reply.get(totals + 1)), number(reply.get(totals + 2)));
    }

    /** Integers come back as integer replies, money as exact decimal strings. */
    private static long number(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof String s) {
            return Long.parseLong(s);
        }
        throw new IllegalStateException("unexpected reply from a quota script: " + value);
    }

    /** Milliseconds the spend of {@code window} is kept from {@code now}; "0" for a lifetime budget (kept). */
    private static String spendTtl(PeriodWindow window, Instant now) {
        if (!window.resets()) {
            return "0";
        }
        long millis = window.end().toEpochMilli() - now.toEpochMilli() + SPEND_GRACE_MILLIS;
        return Long.toString(Math.max(1_000, millis));
    }

    /** Settles a reservation held in Redis: one script over all of its scopes. */
    private CompletionStage<List<BudgetCrossing>> settle(Demand demand, long bucket, long tokens, Money cost,
                                                         Instant now) {
        List<QuotaCheck> checks = demand.checks();
        int n = checks.size();
        PeriodWindow[] windows = new PeriodWindow[n];
        String[] scriptKeys = new String[n * QuotaKeys.PER_SCOPE];
        String[] args = new String[5 + n];
        args[0] = demand.requestId();
        args[1] = Long.toString(MinuteWindow.bucket(now));
        args[2] = Long.toString(bucket);
        args[3] = Long.toString(tokens - demand.tokens());
        args[4] = Long.toString(cost.nanos());
        for (int i = 0; i < n; i++) {
            QuotaCheck check = checks.get(i);
            windows[i] = check.budget() == null ? null : QuotaRules.windowAt(check, now, zone);
            keys.scope(check.scope(), windows[i], scriptKeys, i * QuotaKeys.PER_SCOPE);
            args[5 + i] = windows[i] == null ? "-1" : spendTtl(windows[i], now);
        }
        return run(SETTLE, scriptKeys, args).thenApply(reply -> {
            List<BudgetCrossing> crossings = new ArrayList<>(0);
            for (int i = 0; i < n; i++) {
                if (windows[i] != null) {
                    long after = number(reply.get(i));
                    QuotaRules.crossings(checks.get(i).scope(), checks.get(i).budget(), windows[i],
                            after - cost.nanos(), after, crossings);
                }
            }
            return crossings.isEmpty() ? List.of() : List.copyOf(crossings);
        });
    }
}
