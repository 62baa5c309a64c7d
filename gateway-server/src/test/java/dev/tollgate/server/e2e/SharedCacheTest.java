package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RedisKeysCleaner;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two gateways sharing Redis: what one cached, the other serves; a purge on one empties both, and Redis. */
class SharedCacheTest {
    private static final String ADMIN = "shared-cache-admin";
    private final String prefix = RedisKeysCleaner.randomPrefix("shared-cache");
    private WireMockServer upstream;
    private RunningGateway first;
    private RunningGateway second;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(ResponseCacheTest.answer("Paris", "stop")));
        first = RunningGateway.start(config(dir.resolve("first.db")), Map.of());
        second = RunningGateway.start(config(dir.resolve("second.db")), Map.of());
    }

    private String config(Path ledger) {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                admin: { keys: ["%s"] }
                storage: { ledger: "sqlite:%s", redis: "%s", redis_prefix: "%s" }
                providers:
                  up: { type: openai, base_url: http://127.0.0.1:%d/v1 }
                models:
                  m: { deployments: [ { provider: up, model: up-model } ] }
                cache: { enabled: true, shared: true }
                """.formatted(KeyHash.of(ADMIN), ledger, RedisKeysCleaner.URI, prefix, upstream.port());
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
        upstream.stop();
        RedisKeysCleaner.deleteAll(prefix);
    }

    @Test
    void oneReplicaServesWhatAnotherCachedAndAPurgeEmptiesTheSharedLevel() throws Exception {
        HttpResponse<String> asked = ask(first, "capital of France?");
        assertThat(asked.headers().firstValue("x-tollgate-cache")).hasValue("miss");
        awaitStoredInRedis();
        HttpResponse<String> elsewhere = ask(second, "capital of France?");
        assertThat(elsewhere.headers().firstValue("x-tollgate-cache")).hasValue("hit");
        assertThat(Http.json(elsewhere).at("/choices/0/message/content").asText()).isEqualTo("Paris");
        assertThat(Http.json(elsewhere).at("/id")).isEqualTo(Http.json(asked).at("/id"));
        assertThat(upstreamCalls()).isEqualTo(1);
        JsonNode stats = Http.json(admin(second, "GET"));
        assertThat(stats.at("/shared/hits").asLong()).isPositive();

        // The second replica keeps a copy in its own memory; a purge on the first reaches it through Redis.
        assertThat(Http.json(admin(second, "GET")).path("entries").asLong()).isEqualTo(1);
        JsonNode purged = Http.json(admin(first, "DELETE"));
        assertThat(purged.path("purged").asLong()).isEqualTo(1);
        assertThat(purged.path("shared_purged").asLong()).isEqualTo(1);
        awaitEmpty(second);
        assertThat(ask(second, "capital of France?").headers().firstValue("x-tollgate-cache")).hasValue("miss");
        assertThat(upstreamCalls()).isEqualTo(2);
    }

    private static void awaitEmpty(RunningGateway gateway) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Http.json(admin(gateway, "GET")).path("entries").asLong() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the purge never reached this replica's own memory");
            }
            Thread.sleep(20);
        }
    }

    /** The first replica stores into Redis as its exchange ends, around when its client has the answer. */
    private void awaitStoredInRedis() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (RedisKeysCleaner.ttlsMillis(prefix).keySet().stream().noneMatch(k -> k.startsWith(prefix + "cache:"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing was stored in Redis under " + prefix);
            }
            Thread.sleep(20);
        }
    }

    private HttpResponse<String> ask(RunningGateway gateway, String question) throws Exception {
        return Http.post(gateway.url("/v1/chat/completions"), ResponseCacheTest.ask(question));
    }

    private int upstreamCalls() {
        return upstream.countRequestsMatching(postRequestedFor(urlEqualTo("/v1/chat/completions")).build()).getCount();
    }

    private static HttpResponse<String> admin(RunningGateway gateway, String method) throws Exception {
        var request = HttpRequest.newBuilder(gateway.adminUrl("/admin/cache")).header("authorization", "Bearer " + ADMIN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
