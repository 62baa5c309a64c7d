package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.RunningGateway;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every error a client can meet, in OpenAI's shape with the request id, and upstream errors relayed faithfully. */
class ErrorResponsesTest {
    private static WireMockServer upstream;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        int closedPort;
        try (var s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, max_request_bytes: 64KiB, max_header_bytes: 8KiB }
                providers:
                  up:
                    type: openai
                    base_url: http://127.0.0.1:%d/v1
                    api_key: ${env:UP_KEY}
                    timeouts: { first_byte: 1s, idle: 1s }
                  gone: { type: openai, base_url: http://127.0.0.1:%d/v1 }
                models:
                  relay: { deployments: [ { provider: up, model: gpt-up } ] }
                  dead: { deployments: [ { provider: gone } ] }
                  # a deployment of its own: the 429 it gets cools it down, and must not cool down "relay"
                  limited: { deployments: [ { provider: up, model: gpt-limited } ] }
                # Every test here provokes a failure of the same deployment: a breaker opening part-way through
                # would answer the later ones with 503 instead of the error each one checks.
                resilience: { circuit_breaker: { window: 1000, minimum_calls: 1000 } }
                """.formatted(upstream.port(), closedPort), Map.of("UP_KEY", "sk-test-CANARY"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.stop();
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
    }

    private static void assertError(HttpResponse<String> r, int status, String type, String code, String param)
            throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        String requestId = r.headers().firstValue("x-request-id").orElseThrow();
        JsonNode error = Http.json(r).get("error");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo(type);
        if (code != null) {
            assertThat(error.get("code").asText()).isEqualTo(code);
        }
        if (param != null) {
            assertThat(error.get("param").asText()).isEqualTo(param);
        }
        assertThat(error.get("request_id").asText()).isEqualTo(requestId);
    }

    @Test
    void rejectsBadBodies() throws Exception {
        assertError(Http.post(gateway.url("/v1/chat/completions"), "{\"model\": "), 400,
                "invalid_request_error", "invalid_json", null);
        assertError(Http.post(gateway.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                400, "invalid_request_error", null, "model");
        assertError(Http.post(gateway.url("/v1/chat/completions"), "{\"model\":\"relay\",\"messages\":\"x\"}"),
                400, "invalid_request_error", null, "messages");
        assertError(Http.post(gateway.url("/v1/chat/completions"), "{\"model\":\"relay\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                400, "invalid_request_error", null, "stream");
        assertThat(upstream.getAllServeEvents()).isEmpty();
    }

    @Test
    void rejectsUnknownModelsRoutesAndMethods() throws Exception {
        assertError(Http.post(gateway.url("/v1/chat/completions"), Http.chat("gpt-x", false)), 404,
                "invalid_request_error", "model_not_found", "model");
        assertError(Http.get(gateway.url("/v1/chat/completions")), 405, "invalid_request_error", "method_not_allowed", null);
        assertError(Http.get(gateway.url("/v1/admin/config")), 404, "invalid_request_error", "unknown_url", null);
        assertThat(upstream.getAllServeEvents()).isEmpty();
    }

    @Test
    void refusesOversizedBodiesFromContentLengthAlone() throws Exception {
        // No body follows the head: the 413 must come from the declared length, before any read.
        String answer = Http.raw(gateway.url("/").getPort(), "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                + "content-type: application/json\r\ncontent-length: 1000000\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 413").contains("request_too_large").contains("x-request-id");
    }

    @Test
    void refusesOversizedHeaders() throws Exception {
        String answer = Http.raw(gateway.url("/").getPort(), "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                + "x-big: " + "a".repeat(9000) + "\r\ncontent-length: 2\r\n\r\n{}");
        assertThat(answer).startsWith("HTTP/1.1 431").contains("headers_too_large");
    }

    @Test
    void keepsASaneClientRequestIdAndReplacesAnInsaneOne() throws Exception {
        var kept = Http.post(gateway.url("/v1/chat/completions"), "{", "x-request-id", "client-id-42");
        assertThat(kept.headers().firstValue("x-request-id")).hasValue("client-id-42");
        var replaced = Http.post(gateway.url("/v1/chat/completions"), "{", "x-request-id", "bad id\"{}");
        assertThat(replaced.headers().firstValue("x-request-id").orElseThrow()).startsWith("req_");
    }

    @Test
    void relaysUpstreamErrorsFaithfully() throws Exception {
        String body = "{\"error\":{\"message\":\"Rate limit reached for gpt-up\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(429)
                .withHeader("content-type", "application/json").withHeader("retry-after", "7").withBody(body)));
        // No retries asked: with them the gateway would wait out the Retry-After and try again first.
        var r = Http.post(gateway.url("/v1/chat/completions"), Http.chat("limited", false), "x-tollgate-retries", "0");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).isEqualTo(body);
        assertThat(r.headers().firstValue("retry-after")).hasValue("7");
        assertThat(r.headers().firstValue("x-request-id")).isPresent();
    }

    @Test
    void timesOutASilentUpstream() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withFixedDelay(3000).withBody("{}")));
        long start = System.nanoTime();
        var r = Http.post(gateway.url("/v1/chat/completions"), Http.chat("relay", false));
        assertError(r, 504, "timeout_error", "upstream_timeout", null);
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(900L, 2900L);
    }

    @Test
    void reportsAnUnreachableUpstream() throws Exception {
        assertError(Http.post(gateway.url("/v1/chat/completions"), Http.chat("dead", false)), 502,
                "api_error", "upstream_unreachable", null);
    }

    @Test
    void neverShowsTheProviderKey() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(401)
                .withHeader("content-type", "application/json")
                .withBody("{\"error\":{\"message\":\"Incorrect API key provided: sk-test-CANA**ARY\",\"type\":"
                        + "\"invalid_request_error\",\"code\":\"invalid_api_key\"}}")));
        var r = Http.post(gateway.url("/v1/chat/completions"), Http.chat("relay", false));
        // The provider refused the gateway's key: a gateway-side failure, not the client's 401, in our words.
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).doesNotContain("CANA").doesNotContain("Incorrect API key");
        assertThat(upstream.getAllServeEvents().getFirst().getRequest().getHeader("authorization"))
                .isEqualTo("Bearer sk-test-CANARY");
        Thread.sleep(200); // the access log is written off the event loop
        assertThat(gateway.logs()).contains("\"type\":\"access\"").doesNotContain("CANARY");
    }

    @Test
    void nothingIsAnsweredAfterAResponseThatClosesTheConnection() throws Exception {
        String answer = Http.raw(gateway.url("/").getPort(),
                "GET /v1/nowhere HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
                        + "GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 404");
        assertThat(answer.split("HTTP/1.1 ", -1)).hasSize(2); // one response, then the close
    }
}
