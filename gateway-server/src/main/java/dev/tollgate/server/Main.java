package dev.tollgate.server;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.ConfigProblem;
import dev.tollgate.config.DurationSyntax;
import dev.tollgate.config.HostPortSyntax;
import dev.tollgate.config.Validation;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.RawKeys;
import dev.tollgate.core.runtime.HostPort;
import dev.tollgate.core.runtime.LogLevel;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.cli.AdminCommands;
import dev.tollgate.server.log.LogSink;
import dev.tollgate.server.mock.MockServer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;

/** The command line: run the gateway, validate a config, or run the mock provider alone. */
public final class Main {
    private static final String USAGE = """
            usage:
              tollgate [--config FILE]     run the gateway (the built-in demo config when no --config is given)
              tollgate validate FILE       check a config file; prints every problem, exits 1 when invalid
              tollgate mock [--listen HOST:PORT] [--latency 20ms] [--tokens-per-second N] [--chunks N]
                                           run only the built-in mock provider (an OpenAI-compatible server)
              tollgate new-key             make a key (for keys: or admin.keys); prints the key, once, and the
                                           sha256 hash the config holds instead of it
              tollgate hash-key            read a key on standard input; print the hash the config holds

              tollgate keys COMMAND        virtual keys: list, show, create, revoke, enable
              tollgate spend [--from DATE] [--to DATE] [--group-by key|team|user|model|deployment|day] [--csv]
                                           the spend report from the ledger
              tollgate config COMMAND      the running config: show, versions, show-version, diff, reload,
                                           rollback
              tollgate reviews COMMAND     review samples with their feedback: list, export (JSON lines)
              tollgate prompts COMMAND     the prompt registry: list, show, render, diff, label
              tollgate experiments COMMAND
                                           prompt experiments: list, show (results per arm), end
              tollgate evaluations COMMAND
                                           online evaluation results: list, export (JSON lines)
              These seven call a running gateway's admin API at --admin URL (else $TOLLGATE_ADMIN_URL, else
              http://127.0.0.1:8081) with the admin key in $TOLLGATE_ADMIN_KEY or --admin-key-file PATH, and
              answer --help with their options. Exit codes: 1 the gateway refused, 2 bad usage, 3 the admin API
              cannot be reached.
            """;

    /**
     * Netty settings the gateway changes unless the command line sets them. Its buffer allocators emit JFR events
     * when JFR is present: the first buffer then registers them, which loads JFR's metadata, about a tenth of a
     * cold start's CPU, and nothing here reads those events. Its leak detector, at its default level, records a
     * stack trace for one buffer in 128: about 2% of the gateway's CPU at full load (bench/README.md). Every test
     * runs at the paranoid level and CI fails on any report, so a gateway in service runs without it;
     * {@code -Dio.netty.leakDetection.level=simple} turns it back on.
     */
    private static final Map<String, String> NETTY_DEFAULTS =
            Map.of("io.netty.jfr.enabled", "false", "io.netty.leakDetection.level", "disabled");

    private Main() {}

    public static void main(String[] args) throws Exception {
        NETTY_DEFAULTS.forEach((name, value) -> {
            if (System.getProperty(name) == null) {
                System.setProperty(name, value);
            }
        });
        System.exit(run(List.of(args), System.out, System.err));
    }

    /**
     * Runs a command; returns the exit code (0 fine, 1 invalid config or refused by the admin API, 2 bad usage, 3
     * admin API unreachable). Serving commands block.
     */
    static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        String command = args.isEmpty() || args.getFirst().startsWith("--") ? "serve" : args.getFirst();
        // The admin commands answer --help with their own usage.
        if ((args.contains("--help") || args.contains("-h")) && !AdminCommands.NAMES.contains(command)) {
            out.print(USAGE);
            return 0;
        }
        List<String> rest = command.equals("serve") ? args : args.subList(1, args.size());
        try {
            return switch (command) {
                case "serve" -> serve(Flags.parse(rest, List.of("--config")), out, err);
                case "validate" -> validate(rest, out, err);
                case "new-key" -> newKey(out);
                case "hash-key" -> hashKey(System.in, out, err);
                case "mock" -> mock(Flags.parse(rest, List.of("--listen", "--latency", "--tokens-per-second", "--chunks")), out);
                case "keys", "spend", "config", "reviews", "prompts", "experiments", "evaluations" ->
                        AdminCommands.run(command, rest, out, err, System::getenv);
                default -> usage(err, "unknown command '" + command + "'");
            };
        } catch (IllegalArgumentException e) { // bad flags, numbers or durations
            return usage(err, e.getMessage());
        }
    }

    private static int serve(Flags flags, PrintStream out, PrintStream err) throws InterruptedException {
        String file = flags.get("--config");
        warmUpTls();
        // The hook goes in before the ports open: /readyz answers once they do, and a SIGTERM from then on must
        // drain the gateway, not kill it half-started.
        var running = new CompletableFuture<Tollgate>();
        stopOnSignal(running);
        Tollgate tollgate = null;
        try {
            tollgate = Tollgate.start(file == null ? null : Path.of(file), System::getenv, out);
        } catch (Tollgate.InvalidConfigException e) {
            printProblems(e.problems(), err);
            return 1;
        } finally {
            running.complete(tollgate); // null when the start failed: then the hook leaves the exit to main
        }
        tollgate.captureJavaLogging();
        if (file == null) {
            tollgate.log(LogSink.event(LogLevel.INFO, "no --config given: serving the built-in demo config (mock models, any"
                    + " API key accepted). Try: curl -s localhost:" + tollgate.proxyPort() + "/v1/chat/completions"
                    + " -H 'content-type: application/json' -d '{\"model\":\"demo-fast\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"hello\"}]}'"));
        }
        new CountDownLatch(1).await(); // the hook ends the process
        return 0;
    }

    /**
     * Sets up the JVM's default TLS context (the JSSE provider, its cipher suites, the CA trust store) on a thread
     * of its own while the config compiles and the stores open. Start-up builds the upstream pools' TLS context and
     * HTTP clients, which all need it; done there, it is the longest single step of a cold start. A failure is
     * left to those clients to report.
     */
    private static void warmUpTls() {
        Thread.ofPlatform().daemon().name("tollgate-tls-warm-up").start(() -> {
            try {
                SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                // reported by the first client that needs TLS
            }
        });
    }

    private static int validate(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 1) {
            return usage(err, "validate takes exactly one FILE");
        }
        Path file = Path.of(args.getFirst());
        if (!Files.isReadable(file)) {
            err.println(file + ": cannot read the file");
            return 1;
        }
        var registry = ProviderRegistry.standard();
        // No mock server is started while validating: the loader never compiles in validate().
        var loader = new ConfigLoader(Tollgate.providerTypes(registry), System::getenv, (id, profile) -> {
            throw new IllegalStateException("validation starts no mock");
        });
        Validation result = loader.validate(file);
        result.warnings().forEach(w -> err.println("warning: " + w));
        if (result.errors().isEmpty()) {
            out.println(file + ": valid" + (result.warnings().isEmpty() ? "" : " (with warnings, above)"));
            return 0;
        }
        printProblems(result.errors(), err);
        return 1;
    }

    private static int newKey(PrintStream out) {
        String raw = RawKeys.generate(new SecureRandom());
        out.println("key:  " + raw);
        out.println("hash: " + KeyHash.of(raw));
        out.println("Give the key to its user now: Tollgate keeps only the hash, so it cannot show the key again.");
        return 0;
    }

    /** From standard input, never an argument: arguments show in process lists and shell history. */
    static int hashKey(InputStream in, PrintStream out, PrintStream err) throws IOException {
        String raw = new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip();
        if (raw.isEmpty()) {
            return usage(err, "hash-key reads the key on standard input: echo -n \"$KEY\" | tollgate hash-key");
        }
        out.println(KeyHash.of(raw));
        return 0;
    }

    private static int mock(Flags flags, PrintStream out) throws Exception {
        HostPort listen = HostPortSyntax.parse(flags.getOr("--listen", "127.0.0.1:9000"));
        MockProfile d = MockProfile.DEFAULTS;
        var profile = new MockProfile(
                flags.has("--latency") ? DurationSyntax.parse(flags.get("--latency")) : Duration.ZERO,
                flags.has("--tokens-per-second") ? Double.parseDouble(flags.get("--tokens-per-second")) : 0,
                flags.has("--chunks") ? Integer.parseInt(flags.get("--chunks")) : d.chunks(),
                d.answerWords(), d.embeddingDimensions(), 0, d.errorStatus(), 0, d.resetAfterChunks(), d.seed());
        Transport transport = Transport.best();
        var group = new MultiThreadIoEventLoopGroup(0, transport.ioHandlerFactory());
        MockServer server = MockServer.start(group, transport, listen, profile);
        out.println("{\"level\":\"info\",\"msg\":\"mock provider listening\",\"listen\":\"" + listen.host() + ":"
                + server.port() + "\",\"transport\":\"" + transport.name() + "\"}");
        var stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            group.shutdownGracefully().syncUninterruptibly();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    /**
     * Serves until SIGTERM or SIGINT, then stops gracefully ({@link Tollgate#close()}) and exits 0: a drained
     * stop is a clean one, and orchestrators read any other status as a crash. The JVM reports a signal as status
     * 143 or 130 once its shutdown hooks return, so the hook ends the process itself after the drain.
     */
    private static void stopOnSignal(CompletableFuture<Tollgate> running) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Tollgate tollgate = running.join(); // a signal during the start waits for it to finish
            if (tollgate == null) {
                return;
            }
            int status = 1;
            try {
                tollgate.close();
                status = 0;
            } finally {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(status); // a stop that failed half-way is not a clean one
            }
        }, "tollgate-shutdown"));
    }

    private static void printProblems(List<ConfigProblem> problems, PrintStream err) {
        problems.forEach(err::println);
        err.println(problems.size() + (problems.size() == 1 ? " problem" : " problems") + " found");
    }

    private static int usage(PrintStream err, String message) {
        err.println("tollgate: " + message);
        err.print(USAGE);
        return 2;
    }
}
