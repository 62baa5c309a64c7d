package dev.tollgate.bench.micro;

import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.LocalQuotaStore;
import dev.tollgate.core.quota.PeriodWindow;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.metrics.PrometheusMetrics;
import dev.tollgate.providers.tokens.TiktokenCounter;
import dev.tollgate.server.access.Caller;
import dev.tollgate.server.spend.Accounting;
import dev.tollgate.server.spend.BudgetAlerts;
import dev.tollgate.server.spend.Quote;
import dev.tollgate.server.spend.RequestSize;
import java.time.Clock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Rate limits and budgets of one request on the in-memory store ({@link LocalQuotaStore}, the default), through
 * {@link Accounting} as the exchange calls it: quote the scopes (key {@code bench-app}: requests, tokens,
 * concurrency and a daily budget; its team: limits and a monthly budget; the global monthly budget), admit on all of
 * them in one step, and, for {@link #admitAndSettle}, charge the reported usage and settle. {@link #refuseSpent} is
 * a key whose lifetime budget is spent: quoted and refused, as every request of a client that keeps calling after
 * its budget ran out.
 *
 * <p>The quote's sizer answers with the small request's size as the provider counted it ({@value #INPUT_TOKENS}
 * prompt tokens in {@code openai-reply.json}) and its {@code max_tokens}: the gateway's own token count is the costly
 * part of a quote, but no limit check, and is left out.
 */
@State(Scope.Thread)
public class QuotaBench extends MicroBench {
    private static final String REQUEST_ID = "req_01JYB7MZ3C4V8E5XQK2N9TDRWA";
    /** The small request's prompt tokens, as the provider's reply reports them. */
    static final long INPUT_TOKENS = 38;
    /** The output the settled request reports. */
    private static final long OUTPUT_TOKENS = 40;

    private RuntimeSnapshot snapshot;
    private BudgetAlerts alerts;
    private Accounting accounting;
    private Deployment deployment;
    private Accounting.Sizer sizer;
    private Usage usage;
    private Caller app;
    private Caller spent;

    @Setup
    public void setUp() {
        snapshot = Fixtures.snapshot();
        var store = new LocalQuotaStore(snapshot.access().zone());
        alerts = new BudgetAlerts(() -> null, new PrometheusMetrics(), line -> { }, Clock.systemUTC());
        // The production counter, which loads its vocabularies only when first asked: the sizer never asks it.
        accounting = new Accounting(store, new TiktokenCounter(), alerts, Clock.systemUTC());
        deployment = Fixtures.deployment(snapshot, Api.OPENAI.model());
        ChatRequest request = Api.OPENAI.dialect().decodeChat(Api.OPENAI.request(BodySize.SMALL));
        var size = new RequestSize(INPUT_TOKENS, request.sampling().maxTokens(), 1);
        sizer = tokenizer -> size;
        usage = Usage.reported(INPUT_TOKENS, OUTPUT_TOKENS);
        app = caller("bench-app");
        spent = caller("bench-spent");
        VirtualKey spentKey = spent.key();
        store.seed(spentKey.scope(), PeriodWindow.LIFETIME, spentKey.budget().limit());
    }

    @TearDown
    public void tearDown() {
        alerts.close();
    }

    @Benchmark
    public Admission admitAndSettle() {
        Quote quote = quote(app);
        Admission admission = admit(quote, REQUEST_ID);
        if (admission instanceof Admission.Granted granted) {
            accounting.settle(granted.reservation(), usage, accounting.charge(quote, usage));
        }
        return admission;
    }

    @Benchmark
    public Admission refuseSpent() {
        return admit(quote(spent), REQUEST_ID);
    }

    /** The checks, tokens and worst-case cost of one request of {@code caller}. */
    Quote quote(Caller caller) {
        return accounting.complete(accounting.pending(snapshot, caller, Api.OPENAI.model(), deployment, true), sizer);
    }

    /**
     * Admits a quote for request {@code requestId} (a store holds one reservation per id) with the deadline the
     * exchange gives a first attempt; the local store answers inline.
     */
    Admission admit(Quote quote, String requestId) {
        return accounting.admit(quote, requestId, deployment.provider().timeouts().overall())
                .toCompletableFuture().join();
    }

    /** Key {@code bench-app}, whose requests are admitted. */
    Caller app() {
        return app;
    }

    private Caller caller(String keyName) {
        VirtualKey key = snapshot.access().keys().stream().filter(k -> k.name().equals(keyName)).findFirst()
                .orElseThrow(() -> new IllegalStateException("gateway.yaml has no key " + keyName));
        return new Caller(key, snapshot.access().team(key.team()), null);
    }
}
