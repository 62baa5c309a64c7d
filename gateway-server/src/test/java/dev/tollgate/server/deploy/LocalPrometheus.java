package dev.tollgate.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Prometheus server of its own on a free loopback port, with the given config and a storage directory under
 * {@code dir}; {@link #close()} stops it. Its log goes to {@code dir/prometheus.log} and is quoted by failures.
 */
final class LocalPrometheus implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final URI base;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalPrometheus(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Starts Prometheus on {@code config} (YAML text) and waits, at most a minute, until it says it is ready. */
    static LocalPrometheus start(PrometheusTools tools, String config, Path dir) throws IOException, InterruptedException {
        Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
        Path log = dir.resolve("prometheus.log");
        int port = freePort();
        Process process = new ProcessBuilder(List.of(tools.prometheus().toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        var prometheus = new LocalPrometheus(process, URI.create("http://127.0.0.1:" + port), log);
        try {
            prometheus.await("Prometheus to be ready", START_TIMEOUT, p -> p.ready());
            return prometheus;
        } catch (RuntimeException | Error | InterruptedException e) {
            prometheus.close();
            throw e;
        }
    }

    /** The answer of an instant query at {@code time}: status, and data or errorType and error. */
    JsonNode query(String promql, Instant time) throws IOException, InterruptedException {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time=" + time.toEpochMilli() / 1000.0);
    }

    /** A GET of the HTTP API; its JSON body whatever the status (Prometheus explains a 400 in the body). */
    JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery))
                .timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /**
     * Polls {@code condition} until it holds, for at most {@code timeout}; fails naming {@code what} and quoting the
     * log when it never does or Prometheus exits meanwhile. I/O errors count as "not yet".
     */
    void await(String what, Duration timeout, Check condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("Prometheus exited (" + process.exitValue() + ") while waiting for " + what
                        + "; its log:\n" + log());
            }
            try {
                if (condition.holds(this)) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what
                        + (last == null ? "" : " (last error: " + last + ")") + "; Prometheus's log:\n" + log());
            }
            Thread.sleep(POLL);
        }
    }

    /** A condition {@link #await} polls. */
    @FunctionalInterface
    interface Check {
        boolean holds(LocalPrometheus prometheus) throws IOException, InterruptedException;
    }

    /** Whether an instant query now returns at least one sample that passes {@code test}. */
    boolean anySample(String promql, Predicate<Double> test) throws IOException, InterruptedException {
        JsonNode answer = query(promql, Instant.now());
        for (JsonNode sample : answer.path("data").path("result")) {
            if (test.test(value(sample))) {
                return true;
            }
        }
        return false;
    }

    /** The value of one sample of an instant vector, as Prometheus writes it ("1.5", "NaN", "+Inf"). */
    static double value(JsonNode sample) {
        String text = sample.path("value").path(1).asText();
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** The last 4,000 characters of the server's log. */
    String log() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private boolean ready() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve("/-/ready")).timeout(REQUEST_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    /** Stops the server: SIGTERM, then SIGKILL after 10 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
