package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A hundred clients keep streams open while the config is changed, broken, fixed and rolled back: not one request
 * fails or loses its final event, the broken version is never applied, and every swap is a version in the admin
 * API and an audit line in the log.
 */
class ReloadUnderLoadTest {
    private static final String ADMIN = "admin-key-for-load-tests";
    private static final int CLIENTS = 100;

    /** A stream of 24 words at 60 tokens a second: each one is open for about half a second. */
    private static String config(int tokensPerSecond, String extraModels) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, access_log: false }
                admin: { keys: ["%s"] }
                providers:
                  demo: { type: mock, mock: { tokens_per_second: %d, chunks: 12 } }
                models:
                  steady: { deployments: [ { provider: demo } ] }
                %s""".formatted(KeyHash.of(ADMIN), tokensPerSecond, extraModels);
    }

    @Test
    void noRequestFailsWhileTheConfigChangesUnderIt() throws Exception {
        String v1 = config(60, "");
        String v2 = config(80, "  extra: { deployments: [ { provider: demo, weight: 2 } ] }\n");
        String broken = config(80, "  extra: { deployments: [ { provider: nowhere } ] }\n");
        String v3 = config(60, "  extra: { strategy: round_robin, deployments: [ { provider: demo } ] }\n");

        try (var gateway = RunningGateway.start(v1, Map.of());
             var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            var stop = new AtomicBoolean();
            var completed = new AtomicInteger();
            var failures = new ConcurrentLinkedQueue<String>();
            var running = new CountDownLatch(CLIENTS);
            for (int i = 0; i < CLIENTS; i++) {
                clients.submit(() -> {
                    running.countDown();
                    while (!stop.get()) {
                        String outcome = stream(http, gateway);
                        if (outcome == null) {
                            completed.incrementAndGet();
                        } else {
                            failures.add(outcome);
                        }
                    }
                    return null;
                });
            }
            running.await();
            Thread.sleep(700); // every client is mid-stream

            gateway.writeConfig(v2);
            awaitVersion(http, gateway, 2);
            gateway.writeConfig(broken);
            awaitLog(gateway, "\"action\":\"config.rejected\"");
            gateway.writeConfig(v3);
            awaitVersion(http, gateway, 3);
            JsonNode rolledBack = Http.json(admin(http, gateway, "POST", "/admin/config/versions/1/rollback"));
            assertThat(rolledBack.path("version").asInt()).isEqualTo(4);
            // Streams that began on the rolled-back config finish too: wait for a round of them, not a fixed time,
            // so a busy machine slows the test instead of failing it.
            int before = completed.get();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (completed.get() < before + CLIENTS && failures.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            stop.set(true);
            clients.shutdown();
            assertThat(clients.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            assertThat(failures).isEmpty();
            assertThat(completed.get()).as("streams completed after the rollback").isGreaterThanOrEqualTo(before + CLIENTS);

            JsonNode versions = Http.json(admin(http, gateway, "GET", "/admin/config/versions")).path("data");
            List<String> actors = new ArrayList<>();
            versions.forEach(v -> actors.add(v.path("version").asInt() + ":"
                    + v.path("actor").asText().replaceAll(":.*", "")));
            assertThat(actors).containsExactly("4:admin", "3:file watch", "2:file watch", "1:startup");
            for (JsonNode v : versions) {
                String yaml = Http.json(admin(http, gateway, "GET", "/admin/config/versions/"
                        + v.path("version").asInt())).path("yaml").asText();
                assertThat(yaml).doesNotContain("nowhere");
            }
            String logs = gateway.logs();
            assertThat(count(logs, "\"action\":\"config.applied\"")).isEqualTo(3);
            assertThat(count(logs, "\"action\":\"config.rejected\"")).isGreaterThanOrEqualTo(1);
        }
    }

    /** One streamed chat, read to its end; null when it ended properly, else what went wrong. */
    private static String stream(HttpClient http, RunningGateway gateway) {
        try {
            var request = HttpRequest.newBuilder(gateway.url("/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Http.chat("steady", true))).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return response.statusCode() + " " + response.body();
            }
            String body = response.body();
            return body.contains("\"finish_reason\":\"stop\"") && body.endsWith("data: [DONE]\n\n") ? null
                    : "incomplete stream: " + body;
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static void awaitVersion(HttpClient http, RunningGateway gateway, int version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (Http.json(admin(http, gateway, "GET", "/admin/config")).path("version").asInt() != version) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("version " + version + " was not applied:\n" + gateway.logs());
            }
            Thread.sleep(50);
        }
    }

    private static void awaitLog(RunningGateway gateway, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!gateway.logs().contains(fragment)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no log line with " + fragment + ":\n" + gateway.logs());
            }
            Thread.sleep(50);
        }
    }

    private static int count(String text, String fragment) {
        int n = 0;
        for (int i = text.indexOf(fragment); i >= 0; i = text.indexOf(fragment, i + 1)) {
            n++;
        }
        return n;
    }

    private static HttpResponse<String> admin(HttpClient http, RunningGateway gateway, String method, String path)
            throws Exception {
        var request = HttpRequest.newBuilder(gateway.adminUrl(path)).header("authorization", "Bearer " + ADMIN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
