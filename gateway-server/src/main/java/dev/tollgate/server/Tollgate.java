package dev.tollgate.server;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.ConfigProblem;
import dev.tollgate.config.LoadResult;
import dev.tollgate.core.routing.RetryBudget;
import dev.tollgate.core.routing.Router;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.metrics.PrometheusMetrics;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.admin.AdminApi;
import dev.tollgate.server.exchange.ExchangeReporter;
import dev.tollgate.server.exchange.ExchangeServices;
import dev.tollgate.server.log.AccessLog;
import dev.tollgate.server.log.JsonLine;
import dev.tollgate.server.log.LogSink;
import dev.tollgate.server.mock.EmbeddedMocks;
import dev.tollgate.server.upstream.UpstreamPools;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.OutputStream;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The assembled gateway: every part built with its constructor, in dependency order, and closed in reverse. No
 * container, no reflection. {@code Main} and the end-to-end tests start it the same way.
 */
public final class Tollgate implements AutoCloseable {
    /** Provider types a config may name: the adapters, plus the built-in mock. */
    public static final String MOCK_TYPE = "mock";

    private final LogSink logs;
    private final EmbeddedMocks mocks;
    private final EventLoopGroup workers;
    private final UpstreamPools upstreams;
    private final Gateway gateway;
    private final AtomicReference<RuntimeSnapshot> snapshot;
    private final Stores state;

    private Tollgate(LogSink logs, EmbeddedMocks mocks, EventLoopGroup workers, UpstreamPools upstreams,
                     Gateway gateway, AtomicReference<RuntimeSnapshot> snapshot, Stores state) {
        this.logs = logs;
        this.mocks = mocks;
        this.workers = workers;
        this.upstreams = upstreams;
        this.gateway = gateway;
        this.snapshot = snapshot;
        this.state = state;
    }

    /** The provider types a config may use with this build. */
    public static Set<String> providerTypes(ProviderRegistry registry) {
        Set<String> types = new HashSet<>(registry.types());
        types.add(MOCK_TYPE);
        return Set.copyOf(types);
    }

    /**
     * Loads a config with {@code load} and serves it. Logs (startup lines and the access log) go to {@code logOut}
     * as JSON lines.
     *
     * @throws InvalidConfigException when the config has problems; nothing is left running then
     */
    public static Tollgate start(Function<ConfigLoader, LoadResult> load, Function<String, String> env,
                                 OutputStream logOut) throws InterruptedException {
        ProviderRegistry registry = ProviderRegistry.standard();
        Transport transport = Transport.best();
        var logs = new LogSink(logOut, 65_536);
        var mocks = new EmbeddedMocks(transport);
        LoadResult result;
        try {
            result = load.apply(new ConfigLoader(providerTypes(registry), env, mocks));
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
            logs.write(LogSink.event("warn", "config: " + warning));
        }
        RuntimeSnapshot first = loaded.snapshot();
        var current = new AtomicReference<>(first);
        var metrics = new PrometheusMetrics();
        Stores state;
        try {
            state = Stores.open(current::get, metrics, logs);
        } catch (RuntimeException e) {
            mocks.close();
            logs.close();
            throw e;
        }
        var reporter = new ExchangeReporter(metrics, first.server().accessLog() ? new AccessLog(logs) : null,
                state.ledger());
        int threads = first.server().ioThreads() > 0 ? first.server().ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        var upstreams = new UpstreamPools(transport);
        var services = new ExchangeServices(current::get, registry, upstreams, reporter, state.keys(),
                state.accounting(), new Router(new RetryBudget(), System::nanoTime), state.health());
        var admin = new AdminApi(current::get, () -> current.get().access().adminKeys(), state.keys(),
                state.ledger() == null ? null : state.ledger().keys(), state.ledger(), state.quotas(),
                Clock.systemUTC());
        Gateway gateway;
        try {
            gateway = Gateway.start(transport, workers, first.server(), services, metrics::scrape, admin);
        } catch (InterruptedException | RuntimeException e) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            upstreams.close();
            state.close();
            mocks.close();
            logs.close();
            throw e;
        }
        logs.write(LogSink.event("info", "tollgate started")
                .field("config", first.source())
                .field("proxy", first.server().listen().host() + ":" + gateway.proxyPort())
                .field("admin", first.server().adminListen().host() + ":" + gateway.adminPort())
                .field("transport", transport.name())
                .field("io_threads", threads)
                .field("models", String.join(",", first.models().keySet())));
        return new Tollgate(logs, mocks, workers, upstreams, gateway, current, state);
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

    /** Writes one event line to the gateway's log. */
    public void log(JsonLine line) {
        logs.write(line);
    }

    @Override
    public void close() {
        gateway.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        upstreams.close();
        state.close(); // after the loops stop: every exchange has settled and recorded its row
        mocks.close();
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
