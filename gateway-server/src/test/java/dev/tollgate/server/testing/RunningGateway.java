package dev.tollgate.server.testing;

import dev.tollgate.server.Tollgate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

/**
 * A gateway on loopback ports chosen by the system, serving a config given as YAML text (written to a scratch file,
 * which it watches like any config file); logs kept in memory.
 */
public final class RunningGateway implements AutoCloseable {
    private static final String CONFIG = "test.yaml";

    private final Tollgate tollgate;
    private final ByteArrayOutputStream logs;
    private final Path scratch;

    private RunningGateway(Tollgate tollgate, ByteArrayOutputStream logs, Path scratch) {
        this.tollgate = tollgate;
        this.logs = logs;
        this.scratch = scratch;
    }

    /**
     * Starts with {@code yaml}; {@code env} answers {@code ${env:NAME}} references. A config without a
     * {@code storage} section gets a ledger of its own in a scratch directory, removed on {@link #close()}, so no
     * test writes next to the sources or sees another test's spend.
     */
    public static RunningGateway start(String yaml, Map<String, String> env) throws InterruptedException {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("tollgate-test");
            write(scratch, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var logs = new ByteArrayOutputStream();
        OutputStream synced = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (logs) {
                    logs.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (logs) {
                    logs.write(b, off, len);
                }
            }
        };
        try {
            return new RunningGateway(Tollgate.start(scratch.resolve(CONFIG), env::get, synced), logs, scratch);
        } catch (RuntimeException | InterruptedException e) {
            delete(scratch);
            throw e;
        }
    }

    /** The config file the gateway serves and watches. */
    public Path configFile() {
        return scratch.resolve(CONFIG);
    }

    /**
     * Replaces the config file's text, as {@link #start} would write it, in one atomic rename: the file watch never
     * reads half a file.
     */
    public void writeConfig(String yaml) throws IOException {
        write(scratch, yaml);
    }

    private static void write(Path scratch, String yaml) throws IOException {
        String config = yaml.contains("storage:") ? yaml
                : "storage: { ledger: \"sqlite:" + scratch.resolve("ledger.db") + "\" }\n" + yaml;
        Path temp = scratch.resolve(CONFIG + ".tmp");
        Files.writeString(temp, config);
        Files.move(temp, scratch.resolve(CONFIG), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + tollgate.proxyPort() + path);
    }

    public URI adminUrl(String path) {
        return URI.create("http://127.0.0.1:" + tollgate.adminPort() + path);
    }

    /** The OpenAI base URL an SDK is given. */
    public String baseUrl() {
        return "http://127.0.0.1:" + tollgate.proxyPort() + "/v1";
    }

    /** How many spans the gateway exported, failed to export, and dropped so far. */
    public dev.tollgate.server.trace.OtlpExporter.Counts spanExports() {
        return tollgate.spanExports();
    }

    /** Everything logged so far (the log writer is asynchronous: poll for lines that should come). */
    public String logs() {
        synchronized (logs) {
            return logs.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * The access-log line of a request, waiting up to 10 s for it: the line is written once the answer is sent,
     * which a client can see before it.
     */
    public String accessLine(String requestId) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < until) {
            for (String line : logs().split("\n")) {
                if (line.contains("\"type\":\"access\"") && line.contains(requestId)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no access-log line for " + requestId);
    }

    @Override
    public void close() {
        tollgate.close();
        delete(scratch);
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a scratch directory left in /tmp is harmless
        }
    }
}
