package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.server.testing.RunningGateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop lets what runs finish: readiness turns false first, the listener closes after the delay, a stream in
 * flight ends with its final event, its spend reaches the ledger, and the process exits 0 on SIGTERM.
 */
class GracefulShutdownTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Streams of 24 words at 12 tokens a second: about two seconds each. */
    private static String config(Path ledger, String listen) {
        return """
                server: { listen: %s, admin_listen: 127.0.0.1:0, shutdown_delay: 400ms, shutdown_grace: 20s }
                storage: { ledger: "sqlite:%s" }
                providers:
                  slow: { type: mock, mock: { tokens_per_second: 12, chunks: 12 } }
                models:
                  m: { deployments: [ { provider: slow } ] }
                """.formatted(listen, ledger);
    }

    @Test
    void aStreamInFlightFinishesAndIsRecordedBeforeTheGatewayStops(@TempDir Path dir) throws Exception {
        Path ledger = dir.resolve("ledger.db");
        var gateway = RunningGateway.start(config(ledger, "127.0.0.1:0"), Map.of());
        URI ready = gateway.adminUrl("/readyz");
        int proxyPort = gateway.url("/").getPort();
        assertThat(Http.get(ready).statusCode()).isEqualTo(200);

        HttpResponse<InputStream> stream = startStream(gateway.url("/v1/chat/completions"));
        var stopping = CompletableFuture.runAsync(gateway::close);

        assertThat(awaitStatus(ready, 503)).isTrue(); // not ready at once, while the proxy still serves
        Thread.sleep(600); // past the delay: the listener is closed
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), proxyPort).close())
                .isInstanceOf(ConnectException.class);
        assertThat(stopping).isNotDone();

        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(body(stream)).contains("\"finish_reason\":\"stop\"").endsWith("data: [DONE]\n\n");
        stopping.get(20, TimeUnit.SECONDS);

        try (var db = DriverManager.getConnection("jdbc:sqlite:" + ledger);
             var rows = db.createStatement().executeQuery(
                     "SELECT status, output_tokens FROM spend")) {
            assertThat(rows.next()).as("the stream's row was flushed to the ledger").isTrue();
            assertThat(rows.getInt("status")).isEqualTo(200);
            assertThat(rows.getInt("output_tokens")).isPositive();
        }
    }

    @Test
    void aRequestStillUploadingWhenTheListenerClosesIsAnswered(@TempDir Path dir) throws Exception {
        var gateway = RunningGateway.start(config(dir.resolve("ledger.db"), "127.0.0.1:0"), Map.of());
        byte[] body = Http.chat("m", false).getBytes(StandardCharsets.UTF_8);
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), gateway.url("/").getPort())) {
            socket.setSoTimeout(20_000);
            var out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "content-length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 10);
            out.flush();
            Thread.sleep(200); // the head is in, the body is not
            var stopping = CompletableFuture.runAsync(gateway::close);
            Thread.sleep(700); // past the delay: draining has begun
            out.write(body, 10, body.length - 10);
            out.flush();

            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close")
                    .contains("\"finish_reason\":\"stop\"");
            stopping.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigtermDrainsAndExitsZero(@TempDir Path dir) throws Exception {
        Path ledger = dir.resolve("ledger.db");
        Path file = Files.writeString(dir.resolve("tollgate.yaml"), config(ledger, "127.0.0.1:0"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("out.log");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.tollgate.server.Main", "--config", file.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = proxyPort(log);
            HttpResponse<InputStream> stream = startStream(URI.create("http://127.0.0.1:" + port
                    + "/v1/chat/completions"));
            process.destroy(); // SIGTERM

            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(body(stream)).endsWith("data: [DONE]\n\n");
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
            assertThat(Files.readString(log)).contains("\"msg\":\"stopping\"").contains("tollgate stopped");
        } finally {
            process.destroyForcibly();
        }
    }

    /** Sends a streamed chat and returns once its headers are in: the stream is under way. */
    private static HttpResponse<InputStream> startStream(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Http.chat("m", true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    private static String body(HttpResponse<InputStream> response) throws IOException {
        try (InputStream in = response.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Waits for the child's start line and returns the proxy port it names. */
    private static int proxyPort(Path log) throws InterruptedException, IOException {
        Pattern started = Pattern.compile("tollgate started.*\"proxy\":\"127\\.0\\.0\\.1:(\\d+)\"");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = started.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the gateway did not start:\n" + Files.readString(log));
    }

    private static boolean awaitStatus(URI uri, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (Http.get(uri).statusCode() == status) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
