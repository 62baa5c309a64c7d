package dev.tollgate.server;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.ConfigProblem;
import dev.tollgate.config.LoadResult;
import dev.tollgate.core.observe.trace.Tracer;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.RetryBudget;
import dev.tollgate.core.routing.Router;
import dev.tollgate.core.runtime.LogLevel;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.metrics.PrometheusMetrics;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.admin.AdminApi;
import dev.tollgate.server.eval.Evaluations;
import dev.tollgate.server.eval.LoopbackClient;
import dev.tollgate.server.exchange.ExchangeReporter;
import dev.tollgate.server.exchange.ExchangeServices;
import dev.tollgate.server.exchange.Flights;
import dev.tollgate.server.exchange.MeasuringPool;
import dev.tollgate.server.exchange.StreamSlots;
import dev.tollgate.server.log.AccessLog;
import dev.tollgate.server.log.JsonLine;
import dev.tollgate.server.log.AuditLog;
import dev.tollgate.server.log.JavaLogging;
import dev.tollgate.server.log.LogSink;
import dev.tollgate.server.mock.EmbeddedMocks;
import dev.tollgate.server.quality.FeedbackDesk;
import dev.tollgate.server.quality.RecentRequests;
import dev.tollgate.server.reload.ConfigReloader;
import dev.tollgate.server.reload.ConfigWatcher;
import dev.tollgate.server.trace.OtlpExporter;
import dev.tollgate.server.upstream.Origin;
import dev.tollgate.server.upstream.UpstreamPools;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The assembled gateway: every part built with its constructor, in dependency order, and closed in reverse. No
 * container, no reflection. {@code Main} and the end-to-end tests start it the same way.
 */
public final class Tollgate implements AutoCloseable {
    /** Provider types a config may name: the adapters, plus the built-in mock. */
    public static final String MOCK_TYPE = "mock";
    /** The endpoint of every mock provider in a dry run, which compiles a config without starting anything. */
    private static final URI INERT_MOCK = URI.create("http://127.0.0.1:9/v1");

    private final LogSink logs;
    private final EmbeddedMocks mocks;
    private final EventLoopGroup workers;
    private final MeasuringPool measuring;
    private final UpstreamPools upstreams;
    private final Gateway gateway;
    private final AtomicReference<RuntimeSnapshot> snapshot;
    private final Stores state;
    private final ConfigReloader reloader;
    private final ConfigWatcher watcher;
    private final AuditLog audit;
    /** Whether the JDK's logging writes to this gateway's log; then a reload sets its level too. */
    private final AtomicBoolean javaLogging;
    private final OtlpExporter spans;
    private final PrometheusMetrics metrics;
    /** Online evaluation; null without a ledger. */
    private final Evaluations evaluations;

    private Tollgate(LogSink logs, EmbeddedMocks mocks, EventLoopGroup workers, MeasuringPool measuring,
                     UpstreamPools upstreams, Gateway gateway, AtomicReference<RuntimeSnapshot> snapshot, Stores state,
                     ConfigReloader reloader, ConfigWatcher watcher, AuditLog audit, AtomicBoolean javaLogging,
                     OtlpExporter spans, PrometheusMetrics metrics, Evaluations evaluations) {
        this.logs = logs;
        this.audit = audit;
        this.javaLogging = javaLogging;
        this.mocks = mocks;
        this.workers = workers;
        this.measuring = measuring;
        this.upstreams = upstreams;
        this.gateway = gateway;
        this.snapshot = snapshot;
        this.state = state;
        this.reloader = reloader;
        this.watcher = watcher;
        this.spans = spans;
        this.metrics = metrics;
        this.evaluations = evaluations;
    }

    /** The provider types a config may use with this build. */
    public static Set<String> providerTypes(ProviderRegistry registry) {
        Set<String> types = new HashSet<>(registry.types());
        types.add(MOCK_TYPE);
        return Set.copyOf(types);
    }

    /**
     * Loads the config at {@code file} (the built-in demo when null) and serves it, watching the file for changes.
     * Logs (startup lines, audit lines and the access log) go to {@code logOut} as JSON lines.
     *
     * @throws InvalidConfigException when the config has problems; nothing is left running then
     */
    public static Tollgate start(Path file, Function<String, String> env, OutputStream logOut)
            throws InterruptedException {
        ProviderRegistry registry = ProviderRegistry.standard();
        Transport transport = Transport.best();
        var logs = new LogSink(logOut, 65_536);
        var mocks = new EmbeddedMocks(transport);
        var loader = new ConfigLoader(providerTypes(registry), env, mocks);
        LoadResult result;
        try {
            result = file == null ? loader.loadDemo() : loader.load(file);
        } catch (RuntimeException e) {
            mocks.close();
            logs.close();
            throw e;
        }
        if (result instanceof LoadResult.Invalid invalid) {
            mocks.close();
            logs.close();
            throw new InvalidConfigException(invalid.problems());
        }
        var loaded = (LoadResult.Loaded) result;
        for (ConfigProblem warning : loaded.warnings()) {
            logs.write(LogSink.event(LogLevel.WARN, "config: " + warning));
        }
        RuntimeSnapshot first = loaded.snapshot();
        logs.threshold(first.server().logLevel());
        var current = new AtomicReference<>(first);
        var audit = new AuditLog(logs, () -> current.get().server().auditLog());
        var javaLogging = new AtomicBoolean();
        var metrics = new PrometheusMetrics();
        metrics.perKeyLabels(first.metrics().perKeyLabels());
        Stores state;
        try {
            state = Stores.open(current::get, metrics, logs);
        } catch (RuntimeException e) {
            mocks.close();
            logs.close();
            throw e;
        }
        var recent = new RecentRequests(RecentRequests.DEFAULT_MAX, RecentRequests.DEFAULT_AGE);
        var redactor = new PiiRedactor(PiiDetector.all());
        // Results live in the ledger: without one there is no evaluation (the config refuses evaluators then).
        Evaluations evaluations = state.ledger() == null ? null : new Evaluations(current::get,
                state.ledger().evaluations(), metrics, redactor, state.keys().internalKey(), Clock.systemUTC(),
                LoopbackClient.CALL_TIMEOUT);
        var reporter = new ExchangeReporter(metrics, new AccessLog(logs), () -> current.get().server().accessLog(),
                state.ledger(), recent, state.reviews(), evaluations);
        var feedback = new FeedbackDesk(recent, state.ledger() == null ? null : state.ledger().quality(), metrics,
                redactor, Clock.systemUTC(), evaluations == null ? accepted -> { } : evaluations::feedback);
        int threads = first.server().ioThreads() > 0 ? first.server().ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        var measuring = MeasuringPool.forThisMachine();
        var upstreams = new UpstreamPools(transport);
        var inertLoader = new ConfigLoader(providerTypes(registry), env, (id, profile) -> INERT_MOCK);
        var reloader = new ConfigReloader(loader, inertLoader, file, loaded, current, applied -> {
            logs.threshold(applied.server().logLevel());
            if (javaLogging.get()) {
                JavaLogging.threshold(applied.server().logLevel());
            }
            state.configured(applied);
            upstreams.retain(origins(applied));
            metrics.perKeyLabels(applied.metrics().perKeyLabels());
            if (evaluations != null) {
                evaluations.configured(applied);
            }
        }, logs, audit, metrics, Clock.systemUTC());
        // Built whether or not tracing is on: its thread starts with the first span, so a reload can turn it on.
        var spans = new OtlpExporter(() -> current.get().tracing(), logs);
        var services = new ExchangeServices(current::get, registry, upstreams, reporter, state.keys(),
                state.accounting(), new Router(new RetryBudget(), System::nanoTime), state.health(), state.cache(),
                state.sharedCache(), new Flights(), Tracer.system(spans), feedback, new StreamSlots(), measuring);
        var admin = new AdminApi(current::get, () -> current.get().access().adminKeys(), state.keys(),
                state.ledger() == null ? null : state.ledger().keys(), state.ledger(), state.quotas(), state.cache(),
                state.sharedCache(), state.ledger() == null ? null : state.ledger().quality(),
                state.ledger() == null ? null : state.ledger().evaluations(),
                evaluations == null ? null : evaluations.bias(), reloader, audit,
                Clock.systemUTC());
        metrics.bindRuntime(RuntimeReadings.of(state.ledger(), workers, spans));
        Gateway gateway;
        try {
            gateway = Gateway.start(transport, workers, first.server(), services, metrics::scrape, admin);
        } catch (InterruptedException | RuntimeException e) {
            if (evaluations != null) {
                evaluations.close();
            }
            reloader.close();
            audit.close();
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            measuring.close();
            upstreams.close();
            state.close();
            metrics.close();
            mocks.close();
            logs.close();
            throw e;
        }
        if (evaluations != null) {
            evaluations.start(first.server().listen().host(), gateway.proxyPort());
        }
        logs.write(LogSink.event(LogLevel.INFO, "tollgate started")
                .field("config", first.source())
                .field("proxy", first.server().listen().host() + ":" + gateway.proxyPort())
                .field("admin", first.server().adminListen().host() + ":" + gateway.adminPort())
                .field("transport", transport.name())
                .field("io_threads", threads)
                .field("models", String.join(",", first.models().keySet())));
        return new Tollgate(logs, mocks, workers, measuring, upstreams, gateway, current, state, reloader,
                file == null ? null : watch(reloader, current, logs), audit, javaLogging, spans,
                metrics, evaluations);
    }

    /** Watches the config file; a file system without a watch service leaves reloads to the admin API. */
    private static ConfigWatcher watch(ConfigReloader reloader, AtomicReference<RuntimeSnapshot> current, LogSink logs) {
        try {
            return ConfigWatcher.start(reloader, () -> current.get().server().watchConfig());
        } catch (IOException | RuntimeException e) {
            logs.write(LogSink.event(LogLevel.WARN, "the config file cannot be watched; reload it through the admin API "
                    + "(POST /admin/config/reload)").field("error", e.toString()));
            return null;
        }
    }

    /** Where the providers of {@code snapshot} are: the upstream pools worth keeping. */
    private static Set<Origin> origins(RuntimeSnapshot snapshot) {
        Set<Origin> out = new HashSet<>();
        for (Provider p : snapshot.providers().values()) {
            out.add(Origin.of(p.baseUrl()));
        }
        return out;
    }

    public int proxyPort() {
        return gateway.proxyPort();
    }

    public int adminPort() {
        return gateway.adminPort();
    }

    public RuntimeSnapshot snapshot() {
        return snapshot.get();
    }

    /**
     * Sends the JDK's logging (of the whole process) to this gateway's log, at its {@code server.log_level}. For the
     * process entry point: there is one JDK logging per process.
     */
    public void captureJavaLogging() {
        JavaLogging.install(logs, snapshot.get().server().logLevel());
        javaLogging.set(true);
    }

    /** How many spans were exported, failed to export, and were dropped so far. */
    public OtlpExporter.Counts spanExports() {
        return spans.counts();
    }

    /** Writes one event line to the gateway's log. */
    public void log(JsonLine line) {
        logs.write(line);
    }

    /**
     * Stops gracefully, with the {@code server.shutdown_*} settings in force: readiness turns false at once, the
     * proxy keeps serving for the shutdown delay (load balancers see the failed probe and stop sending), then its
     * listener closes, idle connections close, and running requests and streams get the grace period to finish.
     * Whatever still runs after it is cut (and charged for what it used). Then the ledger is flushed, and the spans
     * still queued are exported.
     */
    @Override
    public void close() {
        ServerSettings settings = snapshot.get().server();
        gateway.notReady();
        if (evaluations != null) {
            // First, while the proxy still answers its loopback calls: a few seconds to finish what is under way.
            evaluations.close();
        }
        logs.write(LogSink.event(LogLevel.INFO, "stopping").field("delay_ms", settings.shutdownDelay().toMillis())
                .field("grace_ms", settings.shutdownGrace().toMillis()));
        try {
            Thread.sleep(settings.shutdownDelay());
            gateway.stopAccepting();
            int cut = gateway.awaitIdle(settings.shutdownGrace());
            if (cut > 0) {
                logs.write(LogSink.event(LogLevel.WARN, "shutdown grace period over: cutting the requests still running")
                        .field("requests", cut));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the caller wants it over: stop now, without the rest of the grace
        }
        if (watcher != null) {
            watcher.close();
        }
        reloader.close();
        audit.close();
        gateway.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        measuring.close(); // after the loops stop: no exchange is left to wait on a measurement
        upstreams.close();
        state.close(); // after the loops stop: every exchange has settled and recorded its row
        spans.close(); // likewise: every exchange has ended its spans
        metrics.close();
        mocks.close();
        logs.write(LogSink.event(LogLevel.INFO, "tollgate stopped"));
        logs.close();
    }


    /** The config could not be used; {@link #problems()} says why, each with file and line. */
    public static final class InvalidConfigException extends RuntimeException {
        private final transient List<ConfigProblem> problems;

        InvalidConfigException(List<ConfigProblem> problems) {
            // Problems never hold a secret, so they can be the message: a failing start then says why.
            super(problems.size() + " problem(s) in the config:\n" + problems.stream().map(ConfigProblem::toString)
                    .collect(java.util.stream.Collectors.joining("\n")), null, false, false);
            this.problems = List.copyOf(problems);
        }

        public List<ConfigProblem> problems() {
            return problems;
        }
    }
}
