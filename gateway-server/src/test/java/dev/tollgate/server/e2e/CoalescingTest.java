package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import dev.tollgate.server.testing.ScriptedUpstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request coalescing end to end: identical cacheable requests in flight together share one upstream call. A
 * WireMock upstream that answers late counts the calls for whole answers; a scripted upstream that sends half a
 * stream, holds it until the test lets go, then sends the rest shows followers get events as they arrive.
 */
class CoalescingTest {
    static final String ALPHA = "tg-alpha";
    static final String BETA = "tg-beta";
    static final String HALF = """
            data: {"id":"s1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}

            """;
    static final String REST = """
            data: {"id":"s1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}

            data: {"id":"s1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}

            data: [DONE]

            """;
    static final String WHOLE = """
            {"id":"up-2","object":"chat.completion","created":7,"model":"up-model","choices":[{"index":0,
            "message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""";
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    WireMockServer wiremock;
    ScriptedUpstream scripted;
    RunningGateway gateway;
    final AtomicInteger scriptedCalls = new AtomicInteger();
    final CountDownLatch letGo = new CountDownLatch(1);

    @AfterEach
    void stop() throws Exception {
        letGo.countDown();
        if (gateway != null) {
            gateway.close();
        }
        if (wiremock != null) {
            wiremock.stop();
        }
        if (scripted != null) {
            scripted.close();
        }
    }

    void startGateway(String baseUrl, Path dir) throws InterruptedException {
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                providers:
                  up: { type: openai, base_url: %s, timeouts: { first_byte: 20s, idle: 20s } }
                prices:
                  up-model: { input: 1000, output: 1000 }
                models:
                  m: { deployments: [ { provider: up, model: up-model } ] }
                resilience: { retries: { same_deployment: 0 } }
                teams: { alpha: {}, beta: {} }
                keys:
                  - { name: a1, hash: "%s", team: alpha }
                  - { name: b1, hash: "%s", team: beta }
                cache: { enabled: true, ttl: 10m }
                """.formatted(dir.resolve("ledger.db"), baseUrl, KeyHash.of(ALPHA), KeyHash.of(BETA)), Map.of());
    }

    /** A WireMock upstream that answers "Paris" after {@code delayMillis}. */
    void slowWireMock(int delayMillis, Path dir) throws InterruptedException {
        wiremock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wiremock.start();
        wiremock.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withFixedDelay(delayMillis).withBody("""
                        {"id":"up-1","object":"chat.completion","created":7,"model":"up-model","choices":[{"index":0,
                        "message":{"role":"assistant","content":"Paris"},"finish_reason":"stop"}],
                        "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}""")));
        startGateway("http://127.0.0.1:" + wiremock.port() + "/v1", dir);
    }

    /**
     * A scripted upstream whose first call streams half an answer, waits for {@link #letGo}, then either ends it
     * or ({@code firstFails}, or when the test never lets go) resets the connection; later calls get a whole
     * answer at once.
     */
    void heldStream(boolean firstFails, Path dir) throws Exception {
        scripted = new ScriptedUpstream((out, socket) -> {
            if (scriptedCalls.incrementAndGet() > 1) {
                byte[] body = WHOLE.getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return;
            }
            ScriptedUpstream.streamHead(out);
            ScriptedUpstream.chunk(out, HALF);
            // Never let go by the test: the stream breaks, so a follower that only got events at the end fails.
            if (!letGo.await(20, TimeUnit.SECONDS) || firstFails) {
                ScriptedUpstream.reset(socket);
                return;
            }
            ScriptedUpstream.chunk(out, REST);
            ScriptedUpstream.lastChunk(out);
        });
        startGateway(scripted.baseUrl(), dir);
    }

    static String openAi(boolean stream) {
        return "{\"model\":\"m\",\"stream\":" + stream + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"temperature\":0,\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"greet\"}]}";
    }

    static String anthropic(boolean stream) {
        return "{\"model\":\"m\",\"stream\":" + stream
                + ",\"temperature\":0,\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"greet\"}]}";
    }

    HttpRequest request(String path, String key, String body) {
        return HttpRequest.newBuilder(gateway.url(path)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    CompletableFuture<HttpResponse<String>> ask(String path, String key, String body) {
        return CLIENT.sendAsync(request(path, key, body), HttpResponse.BodyHandlers.ofString());
    }

    int wiremockCalls() {
        return wiremock.countRequestsMatching(postRequestedFor(urlEqualTo("/v1/chat/completions")).build()).getCount();
    }

    static String cache(HttpResponse<?> r) {
        return r.headers().firstValue("x-tollgate-cache").orElse(null);
    }

    /** Waits until {@code count} reaches {@code n}: the leader's call is in the air. */
    static void await(IntSupplier count, int n) throws InterruptedException {
        for (int i = 0; i < 200 && count.getAsInt() < n; i++) {
            Thread.sleep(25);
        }
        assertThat(count.getAsInt()).isEqualTo(n);
    }

    /** The text of an OpenAI event stream, and whether it ended with its terminal marker. */
    static String openAiText(String sse) throws Exception {
        var text = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode chunk = Http.JSON.readTree(line.substring(6));
                text.append(chunk.at("/choices/0/delta/content").asText(""));
            }
        }
        return text.toString();
    }

    static String anthropicText(String sse) throws Exception {
        var text = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                text.append(Http.JSON.readTree(line.substring(6)).at("/delta/text").asText(""));
            }
        }
        return text.toString();
    }

    @Test
    void fiftyIdenticalRequestsMakeOneUpstreamCall(@TempDir Path dir) throws Exception {
        slowWireMock(1500, dir);
        var answers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < 50; i++) {
            answers.add(ask("/v1/chat/completions", ALPHA, openAi(false)));
        }
        int misses = 0;
        int coalesced = 0;
        String id = null;
        for (var answer : answers) {
            HttpResponse<String> r = answer.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = Http.json(r);
            assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Paris");
            assertThat(body.at("/usage/completion_tokens").asLong()).isEqualTo(2);
            id = id == null ? body.at("/id").asText() : id;
            assertThat(body.at("/id").asText()).isEqualTo(id);
            misses += "miss".equals(cache(r)) ? 1 : 0;
            coalesced += "coalesced".equals(cache(r)) ? 1 : 0;
            assertThat(cache(r)).isIn("miss", "coalesced", "hit"); // a straggler after the answer is a hit
        }
        assertThat(wiremockCalls()).isEqualTo(1);
        assertThat(misses).isEqualTo(1);
        assertThat(coalesced).isPositive();
        assertThat(Http.get(gateway.adminUrl("/metrics")).body())
                .containsPattern("tollgate_cache_requests_total\\{[^}]*result=\"coalesced\"[^}]*} " + coalesced + "\\.0");
        for (int i = 0; i < 50 && !gateway.logs().contains("\"cache\":\"coalesced\""); i++) {
            Thread.sleep(100); // the access log is written asynchronously
        }
        assertThat(gateway.logs()).contains("\"cache\":\"coalesced\"");
    }

    @Test
    void followersOfEveryDialectAndModeGetTheStreamAsItArrives(@TempDir Path dir) throws Exception {
        heldStream(false, dir);
        var leader = ask("/v1/chat/completions", ALPHA, openAi(true));
        await(scriptedCalls::get, 1);
        // A streaming follower reads its first content while the upstream still holds back the rest.
        var streaming = CLIENT.send(request("/v1/chat/completions", ALPHA, openAi(true)),
                HttpResponse.BodyHandlers.ofInputStream());
        // A streaming follower's head comes with the events it joined late for: once it is here, it is aboard.
        var anthropicStream = CLIENT.send(request("/v1/messages", ALPHA, anthropic(true)),
                HttpResponse.BodyHandlers.ofInputStream());
        var whole = ask("/v1/chat/completions", ALPHA, openAi(false));
        var anthropicWhole = ask("/v1/messages", ALPHA, anthropic(false));
        Thread.sleep(500); // those that do not stream show nothing until the end: time to get aboard
        assertThat(cache(streaming)).isEqualTo("coalesced");
        var received = new StringBuilder();
        try (var reader = new BufferedReader(new InputStreamReader(streaming.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null && !line.contains("Hel")) {
                received.append(line).append('\n');
            }
            assertThat(line).as("the first content, before the upstream sent the rest").contains("Hel");
            assertThat(scriptedCalls.get()).isEqualTo(1);
            assertThat(whole).isNotDone();
            letGo.countDown();
            received.append(line).append('\n');
            while ((line = reader.readLine()) != null) {
                received.append(line).append('\n');
            }
        }
        String followerStream = received.toString();
        assertThat(openAiText(followerStream)).isEqualTo("Hello");
        assertThat(followerStream).contains("\"completion_tokens\":2").contains("data: [DONE]");

        var leaderAnswer = leader.get(10, TimeUnit.SECONDS);
        assertThat(cache(leaderAnswer)).isEqualTo("miss");
        assertThat(openAiText(leaderAnswer.body())).isEqualTo("Hello");
        var wholeAnswer = whole.get(10, TimeUnit.SECONDS);
        assertThat(cache(wholeAnswer)).isEqualTo("coalesced");
        assertThat(Http.json(wholeAnswer).at("/choices/0/message/content").asText()).isEqualTo("Hello");
        assertThat(cache(anthropicStream)).isEqualTo("coalesced");
        String anthropicStreamed;
        try (InputStream in = anthropicStream.body()) {
            anthropicStreamed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(anthropicText(anthropicStreamed)).isEqualTo("Hello");
        assertThat(anthropicStreamed).contains("message_stop");
        var anthropicAnswer = anthropicWhole.get(10, TimeUnit.SECONDS);
        assertThat(cache(anthropicAnswer)).isEqualTo("coalesced");
        assertThat(Http.json(anthropicAnswer).at("/content/0/text").asText()).isEqualTo("Hello");
        assertThat(scriptedCalls.get()).isEqualTo(1);
    }

    @Test
    void aFollowerThatLeavesDisturbsNoOne(@TempDir Path dir) throws Exception {
        heldStream(false, dir);
        var leader = ask("/v1/chat/completions", ALPHA, openAi(true));
        await(scriptedCalls::get, 1);
        var other = ask("/v1/chat/completions", ALPHA, openAi(true));
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), gateway.url("/").getPort())) {
            socket.setSoTimeout(10_000);
            String body = openAi(true);
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\n"
                    + "authorization: Bearer " + ALPHA + "\r\ncontent-type: application/json\r\ncontent-length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            assertThat(readUntil(socket.getInputStream(), "Hel")).contains("x-tollgate-cache: coalesced");
        } // gone mid-stream
        Thread.sleep(200);
        letGo.countDown();
        var leaderAnswer = leader.get(10, TimeUnit.SECONDS);
        assertThat(openAiText(leaderAnswer.body())).isEqualTo("Hello");
        assertThat(leaderAnswer.body()).contains("data: [DONE]");
        var otherAnswer = other.get(10, TimeUnit.SECONDS);
        assertThat(cache(otherAnswer)).isEqualTo("coalesced");
        assertThat(openAiText(otherAnswer.body())).isEqualTo("Hello");
        assertThat(otherAnswer.body()).contains("data: [DONE]");
        assertThat(scriptedCalls.get()).isEqualTo(1);
        // The leader's answer was stored in full: the next one is a hit.
        assertThat(cache(ask("/v1/chat/completions", ALPHA, openAi(false)).get(10, TimeUnit.SECONDS)))
                .isEqualTo("hit");
    }

    static String readUntil(InputStream in, String marker) throws Exception {
        var seen = new StringBuilder();
        byte[] buf = new byte[4096];
        int n;
        while (!seen.toString().contains(marker) && (n = in.read(buf)) > 0) {
            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return seen.toString();
    }

    @Test
    void aFailingLeaderCutsStreamingFollowersAndSendsTheOthersUpstream(@TempDir Path dir) throws Exception {
        heldStream(true, dir);
        var leader = ask("/v1/chat/completions", ALPHA, openAi(true));
        await(scriptedCalls::get, 1);
        var streaming = CLIENT.send(request("/v1/chat/completions", ALPHA, openAi(true)),
                HttpResponse.BodyHandlers.ofInputStream());
        var whole = ask("/v1/chat/completions", ALPHA, openAi(false));
        String followerStream;
        try (var reader = new BufferedReader(new InputStreamReader(streaming.body(), StandardCharsets.UTF_8))) {
            var seen = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null && !line.contains("Hel")) {
                seen.append(line).append('\n');
            }
            Thread.sleep(200); // the non-streaming follower is aboard too
            letGo.countDown();
            try {
                while ((line = reader.readLine()) != null) {
                    seen.append(line).append('\n');
                }
            } catch (IOException e) {
                // the cut connection: what arrived before it is what counts
            }
            followerStream = seen.toString();
        }
        assertThat(followerStream).contains("\"error\"").contains("broke off").doesNotContain("[DONE]");
        assertThatThrownBy(() -> leader.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        // The follower that had received nothing went upstream on its own, and got an answer.
        var wholeAnswer = whole.get(10, TimeUnit.SECONDS);
        assertThat(wholeAnswer.statusCode()).isEqualTo(200);
        assertThat(cache(wholeAnswer)).isEqualTo("miss");
        assertThat(Http.json(wholeAnswer).at("/choices/0/message/content").asText()).isEqualTo("Hello");
        assertThat(scriptedCalls.get()).isEqualTo(2);
    }

    @Test
    void differentScopesNeverShareAFlight(@TempDir Path dir) throws Exception {
        slowWireMock(1000, dir);
        var alpha = ask("/v1/chat/completions", ALPHA, openAi(false));
        await(this::wiremockCalls, 1);
        var beta = ask("/v1/chat/completions", BETA, openAi(false));
        assertThat(cache(alpha.get(10, TimeUnit.SECONDS))).isEqualTo("miss");
        assertThat(cache(beta.get(10, TimeUnit.SECONDS))).isEqualTo("miss");
        assertThat(wiremockCalls()).isEqualTo(2);
    }

    @Test
    void aRefreshNeitherJoinsNorLeads(@TempDir Path dir) throws Exception {
        slowWireMock(1000, dir);
        var first = ask("/v1/chat/completions", ALPHA, openAi(false));
        await(this::wiremockCalls, 1);
        var refresh = CLIENT.sendAsync(HttpRequest.newBuilder(request("/v1/chat/completions", ALPHA, openAi(false)),
                (name, value) -> true).header("cache-control", "no-cache").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(cache(refresh.get(10, TimeUnit.SECONDS))).isEqualTo("refresh");
        assertThat(cache(first.get(10, TimeUnit.SECONDS))).isEqualTo("miss");
        assertThat(wiremockCalls()).isEqualTo(2);
    }
}
