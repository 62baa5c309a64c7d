package dev.tollgate.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.Timeouts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ServerLoadPollerTest {
    private static final Provider P = new Provider("vllm", "openai", URI.create("http://127.0.0.1:9/v1"), null,
            "authorization", List.of(), Timeouts.DEFAULTS, null, null);

    private final AtomicReference<String> page = new AtomicReference<>(LoadReportTest.VLLM);
    private final AtomicReference<Integer> status = new AtomicReference<>(200);
    private final DeploymentHealth health = new DeploymentHealth(new RecordingMetrics());
    private HttpServer server;
    private ServerLoadPoller poller;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = page.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        poller = new ServerLoadPoller(health, Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        poller.close();
        server.stop(0);
    }

    private Deployment deployment(String id, String path) {
        URI metrics = path == null ? null
                : URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        return new Deployment(id, P, "llama", 1, Limits.NONE, 0, 0, Map.of(), metrics);
    }

    private static void awaitLoad(DeploymentHealth health, Deployment d, double expected) throws InterruptedException {
        while (health.load(d).serverLoad() != expected) {
            Thread.sleep(10);
        }
    }

    @Test
    @Timeout(10)
    void pollsTrackedServersAndFollowsTheirLoad() throws InterruptedException {
        var polled = deployment("m/vllm/llama", "/metrics");
        var unpolled = deployment("m/vllm/other", null);
        poller.track(List.of(polled, unpolled));
        poller.start();
        awaitLoad(health, polled, 13);

        page.set("tgi_queue_size 1\ntgi_batch_current_size 2\n");
        awaitLoad(health, polled, 4);

        status.set(500);
        awaitLoad(health, polled, -1);
        status.set(200);
        awaitLoad(health, polled, 4);

        page.set("# nothing this gateway knows\nprocess_cpu_seconds_total 1\n");
        awaitLoad(health, polled, -1);
        assertThat(health.load(unpolled).serverLoad()).isEqualTo(-1);
    }

    @Test
    @Timeout(10)
    void anUnreachableServerIsUnknownAndTrackingFollowsReloads() throws InterruptedException {
        var missing = deployment("m/vllm/missing", "/nowhere");
        poller.track(List.of(missing));
        poller.start();
        awaitLoad(health, missing, -1);

        var later = deployment("m/vllm/later", "/metrics");
        poller.track(List.of(later));
        awaitLoad(health, later, 13);
    }
}
