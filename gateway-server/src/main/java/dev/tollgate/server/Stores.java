package dev.tollgate.server;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.cache.LocalResponseCache;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.ledger.SpendLedger;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.pricing.Unpriced;
import dev.tollgate.core.quota.LocalQuotaStore;
import dev.tollgate.core.quota.QuotaStore;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.runtime.LogLevel;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.runtime.StorageSettings;
import dev.tollgate.providers.tokens.TiktokenCounter;
import dev.tollgate.server.access.KeyRing;
import dev.tollgate.server.health.DeploymentHealth;
import dev.tollgate.server.health.ServerLoadPoller;
import dev.tollgate.server.log.LogSink;
import dev.tollgate.server.spend.Accounting;
import dev.tollgate.server.spend.BudgetAlerts;
import dev.tollgate.server.spend.BudgetGauges;
import dev.tollgate.server.spend.BudgetRebuild;
import dev.tollgate.server.quality.ReviewWriter;
import dev.tollgate.server.store.JdbcLedger;
import dev.tollgate.server.store.LedgerListener;
import dev.tollgate.server.store.RedisQuotaStore;
import dev.tollgate.server.store.RedisResponseCache;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's state that outlives a request: the counter store, the spend ledger, the keys in force, budget
 * alerts and the accounting that ties them together, and every deployment's health with the poller of
 * self-hosted servers' load. Opened before the listeners, closed after the loops stop,
 * so every exchange has settled and recorded its row before the ledger flushes.
 *
 * <p>Housekeeping, on a thread of its own: budget counters are seeded from the ledger at startup and again every
 * {@link #RECONCILE_EVERY} (seeding only ever raises a counter, so this heals a settlement a shared store failed
 * to take, Redis down for a moment, without ever undoing one it took), and team and global budgets are sampled
 * into the metrics every {@link #GAUGES_EVERY}, deployment states every {@link #STATES_EVERY} (and at once on a
 * breaker's transition), the response cache's size every {@link #GAUGES_EVERY}. The response cache is sized from
 * the first config ({@code cache.max_bytes} applies at restart only) and keeps its answers across reloads. With a
 * ledger, review samples are written to it by their own writer, and those older than {@code review.retention} (as
 * the config in force says) are pruned every {@link #PRUNE_EVERY}, as are evaluation results older than
 * {@code evaluation.retention}.
 */
record Stores(QuotaStore quotas, JdbcLedger ledger, KeyRing keys, BudgetAlerts alerts, Accounting accounting,
              DeploymentHealth health, ServerLoadPoller loadPoller, ResponseCache cache, RedisResponseCache sharedCache,
              ReviewWriter reviews, ScheduledExecutorService housekeeping)
        implements AutoCloseable {
    private static final Duration REBUILD_TIMEOUT = Duration.ofSeconds(30);
    static final Duration RECONCILE_EVERY = Duration.ofMinutes(5);
    static final Duration GAUGES_EVERY = Duration.ofSeconds(15);
    static final Duration STATES_EVERY = Duration.ofSeconds(5);
    static final Duration PRUNE_EVERY = Duration.ofHours(1);
    private static final Logger LOG = Logger.getLogger(Stores.class.getName());

    /** Blocking: connects to the ledger and Redis, reads runtime keys and rebuilds budget counters. */
    static Stores open(Supplier<RuntimeSnapshot> snapshot, GatewayMetrics metrics, LogSink logs) {
        RuntimeSnapshot first = snapshot.get();
        StorageSettings storage = first.storage();
        AccessPolicy policy = first.access();
        Clock clock = Clock.systemUTC();
        JdbcLedger ledger = storage.ledger() == null ? null : JdbcLedger.open(storage.ledger().reveal(),
                storage.spillDir(), storage.spillMaxBytes(), listener(metrics));
        QuotaStore quotas = null;
        KeyRing keys = null;
        BudgetAlerts alerts = null;
        try {
            quotas = storage.redis() == null ? new LocalQuotaStore(policy.zone())
                    : new RedisQuotaStore(storage.redis().reveal(), storage.redisPrefix(),
                    storage.limitsOnRedisFailure(), storage.budgetsOnRedisFailure(), policy.zone(),
                    RedisQuotaStore.DEFAULT_TIMEOUT);
            keys = new KeyRing(policy, ledger == null ? null : ledger.keys(), clock);
            keys.refresh().toCompletableFuture().get(KeyRing.FIRST_LOAD.toMillis(), TimeUnit.MILLISECONDS);
            alerts = new BudgetAlerts(() -> snapshot.get().access().alerts(), metrics, logs::write, clock);
            var accounting = new Accounting(quotas, new TiktokenCounter(), alerts, clock);
            if (mayCountTokens(first, keys)) {
                // Off the start-up path, yet loaded before the first request that needs a count is likely to come.
                List<String> models = first.models().values().stream().flatMap(group -> group.deployments().stream())
                        .map(Deployment::upstreamModel).toList();
                Thread.ofVirtual().name("tollgate-tokenizer-warm-up").start(() -> TiktokenCounter.warmUp(models));
            }
            if (ledger != null) {
                ledger.catchUp(); // rows an outage left in the spill file count towards the budgets too
                int seeded = BudgetRebuild.run(policy, keys.all(policy), ledger, quotas, clock.instant(),
                        REBUILD_TIMEOUT);
                logs.write(LogSink.event(LogLevel.INFO, "budgets rebuilt from the ledger").field("scopes", seeded));
            }
            List<String> unpriced = accounting.unpriced(first);
            if (!unpriced.isEmpty()) {
                logs.write(LogSink.event(LogLevel.WARN, "deployments without a price: requests under a budget are "
                        + (policy.unpriced() == Unpriced.REJECT ? "refused" : "charged their reservation")
                        + ", others are recorded at an estimated $0; add them under prices")
                        .field("deployments", String.join(",", unpriced)));
            }
            if (keys.open(policy)) {
                logs.write(LogSink.event(LogLevel.WARN, "no keys are configured: the gateway is open, any client may "
                        + "call it (add keys to the config or through the admin API)"));
            }
            ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("tollgate-housekeeping").factory());
            if (ledger != null) {
                long every = RECONCILE_EVERY.toSeconds();
                housekeeping.scheduleWithFixedDelay(reconcile(snapshot, ledger, quotas, keys, clock), every, every,
                        TimeUnit.SECONDS);
            }
            housekeeping.scheduleWithFixedDelay(gauges(snapshot, quotas, keys, metrics, clock), 0,
                    GAUGES_EVERY.toSeconds(), TimeUnit.SECONDS);
            var health = new DeploymentHealth(metrics);
            housekeeping.scheduleWithFixedDelay(states(health), STATES_EVERY.toSeconds(), STATES_EVERY.toSeconds(),
                    TimeUnit.SECONDS);
            var cache = new LocalResponseCache(first.cache().maxBytes(), Ticker.systemTicker());
            housekeeping.scheduleWithFixedDelay(() -> metrics.responseCache(cache.stats()), 0,
                    GAUGES_EVERY.toSeconds(), TimeUnit.SECONDS);
            RedisResponseCache sharedCache = null;
            if (first.cache().shared()) {
                sharedCache = new RedisResponseCache(storage.redis().reveal(), storage.redisPrefix(),
                        RedisResponseCache.DEFAULT_TIMEOUT);
                sharedCache.followPurges(cache::purge); // a purge on any replica empties every replica's memory
            }
            ReviewWriter reviews = null;
            if (ledger != null) {
                reviews = new ReviewWriter(ledger.quality(), metrics, new PiiRedactor(PiiDetector.all()),
                        ReviewWriter.DEFAULT_CAPACITY).start();
                housekeeping.scheduleWithFixedDelay(prune(snapshot, ledger, logs, clock), 1,
                        PRUNE_EVERY.toMinutes(), TimeUnit.MINUTES);
            }
            var stores = new Stores(quotas, ledger, keys, alerts, accounting, health, new ServerLoadPoller(health),
                    cache, sharedCache, reviews, housekeeping);
            stores.configured(first);
            stores.loadPoller().start();
            return stores;
        } catch (Exception e) {
            closeAll(keys, alerts, quotas, ledger);
            throw new IllegalStateException("cannot open the gateway's stores: " + e.getMessage(), e);
        }
    }

    /**
     * Follows a config (re)load: polls the load of its self-hosted deployments and forgets the health of those
     * it no longer has. Call on every reload.
     */
    void configured(RuntimeSnapshot snapshot) {
        List<Deployment> deployments = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (ModelGroup group : snapshot.models().values()) {
            for (Deployment d : group.deployments()) {
                deployments.add(d);
                ids.add(d.id());
            }
        }
        loadPoller.track(deployments);
        health.retain(ids);
    }

    /** Whether any request can need a token count: there are keys, a global budget or a deployment token limit. */
    private static boolean mayCountTokens(RuntimeSnapshot snapshot, KeyRing keys) {
        AccessPolicy policy = snapshot.access();
        if (!keys.open(policy) || policy.globalBudget() != null) {
            return true;
        }
        for (ModelGroup group : snapshot.models().values()) {
            for (Deployment d : group.deployments()) {
                if (d.limits().tpm() > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Runnable reconcile(Supplier<RuntimeSnapshot> snapshot, JdbcLedger ledger, QuotaStore quotas,
                                      KeyRing keys, Clock clock) {
        return () -> {
            try {
                AccessPolicy policy = snapshot.get().access();
                BudgetRebuild.run(policy, keys.all(policy), ledger, quotas, clock.instant(), REBUILD_TIMEOUT);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "budget counters could not be reconciled with the ledger; next try in "
                        + RECONCILE_EVERY.toMinutes() + " min: " + e);
            }
        };
    }

    private static Runnable gauges(Supplier<RuntimeSnapshot> snapshot, QuotaStore quotas, KeyRing keys,
                                   GatewayMetrics metrics, Clock clock) {
        return () -> {
            try {
                RuntimeSnapshot now = snapshot.get();
                AccessPolicy policy = now.access();
                // Keys' budgets only while keys may be labels: there can be many, each a store call here.
                BudgetGauges.sample(policy, now.metrics().perKeyLabels() ? keys.all(policy) : List.of(), quotas,
                        metrics, clock.instant());
            } catch (Exception e) {
                LOG.log(Level.FINE, "budget gauges not sampled this time: " + e);
            }
        };
    }

    /**
     * Deletes review samples and evaluation results past the retention of the config in force (each its own:
     * {@code review.retention}, {@code evaluation.retention}); waits for it, on housekeeping's thread. One failing
     * does not keep the other from its turn.
     */
    private static Runnable prune(Supplier<RuntimeSnapshot> snapshot, JdbcLedger ledger, LogSink logs, Clock clock) {
        return () -> {
            RuntimeSnapshot now = snapshot.get();
            pruneOne("review samples", ledger.quality().pruneReviews(clock.instant().minus(now.review().retention())),
                    logs);
            pruneOne("evaluation results", ledger.evaluations().pruneEvaluations(
                    clock.instant().minus(now.evaluation().retention())), logs);
        };
    }

    private static void pruneOne(String what, CompletionStage<Integer> pruning, LogSink logs) {
        try {
            int pruned = pruning.toCompletableFuture().get(REBUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (pruned > 0) {
                logs.write(LogSink.event(LogLevel.INFO, what + " past their retention deleted").field("rows", pruned));
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, what + " could not be pruned; next try in " + PRUNE_EVERY.toMinutes() + " min: "
                    + e);
        }
    }

    private static Runnable states(DeploymentHealth health) {
        return () -> {
            try {
                health.report();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "deployment states not reported this time: " + e);
            }
        };
    }

    private static LedgerListener listener(GatewayMetrics metrics) {
        return new LedgerListener() {
            @Override
            public void written(int rows) {
                metrics.ledgerRows("written", rows);
            }

            @Override
            public void spilled(int rows) {
                metrics.ledgerRows("spilled", rows);
            }

            @Override
            public void replayed(int rows) {
                metrics.ledgerRows("replayed", rows);
            }

            @Override
            public void lost(int rows) {
                metrics.ledgerRows("lost", rows);
            }

            @Override
            public void databaseDown(boolean down) {
                metrics.ledgerUp(!down);
            }
        };
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        closeAll(loadPoller, sharedCache, keys, alerts, quotas, reviews, ledger);
    }

    private static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    LOG.warning("closing " + part + ": " + e);
                }
            }
        }
    }
}
