package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests cannot aim or authenticate the upstream call, an upstream cannot redirect the gateway, and what an
 * upstream says when it fails reaches the client without the credentials it quotes: in both dialects, on the
 * passthrough and the translated path.
 */
class UpstreamSecretsTest {
    private static final String KEY = "sk-proj-CANARYsecretsTest0123456789";
    /** Shaped like an Azure key: 32 hex digits, nothing a pattern could tell from a hash. */
    private static final String PLAIN_KEY = "7c0f3e9a5b2d4e6f8a1c3b5d7e9f0a2c";

    private static WireMockServer upstream;
    private static WireMockServer elsewhere;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        elsewhere = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        elsewhere.start();
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  oai: { type: openai, base_url: "http://127.0.0.1:%1$d/v1", api_key: "${env:KEY}" }
                  ant: { type: anthropic, base_url: "http://127.0.0.1:%1$d", api_key: "${env:KEY}" }
                  plain: { type: openai, base_url: "http://127.0.0.1:%1$d/plain/v1", api_key: "${env:PLAIN_KEY}" }
                models:
                  gpt: { deployments: [ { provider: oai, model: gpt-up } ] }
                  claude: { deployments: [ { provider: ant, model: claude-up } ] }
                  plain: { deployments: [ { provider: plain, model: plain-up } ] }
                resilience: { circuit_breaker: { window: 1000, minimum_calls: 1000 } }
                """.formatted(upstream.port()), Map.of("KEY", KEY, "PLAIN_KEY", PLAIN_KEY));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.stop();
        elsewhere.stop();
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
        elsewhere.resetAll();
    }

    /** An OpenAI-dialect request (chat completions) to a model group. */
    private static HttpResponse<String> openAi(String model, String extra) throws Exception {
        return Http.post(gateway.url("/v1/chat/completions"), "{\"model\":\"" + model + "\"" + extra
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-tollgate-retries", "0");
    }

    /** An Anthropic-dialect request (messages) to a model group. */
    private static HttpResponse<String> anthropic(String model, String extra) throws Exception {
        return Http.post(gateway.url("/v1/messages"), "{\"model\":\"" + model + "\",\"max_tokens\":10" + extra
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "anthropic-version", "2023-06-01",
                "x-tollgate-retries", "0");
    }

    @Test
    void refusesUpstreamOverridesInBothDialectsOnBothPaths() throws Exception {
        for (String field : List.of("api_base", "base_url", "extra_headers", "aws_secret_access_key", "API_BASE",
                "Base_Url", "api\\u005fkey")) {
            String extra = ",\"" + field + "\":\"http://169.254.169.254/latest\"";
            for (String model : List.of("gpt", "claude")) { // passthrough, then translated (and the reverse)
                var r = openAi(model, extra);
                assertThat(r.statusCode()).isEqualTo(400);
                JsonNode error = Http.json(r).get("error");
                assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
                assertThat(error.get("code").asText()).isEqualTo("parameter_not_allowed");
                assertThat(error.get("param").asText()).isEqualTo(field.replace("\\u005f", "_"));

                var a = anthropic(model, extra);
                assertThat(a.statusCode()).isEqualTo(400);
                JsonNode body = Http.json(a);
                assertThat(body.get("type").asText()).isEqualTo("error");
                assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
                assertThat(body.at("/error/message").asText()).contains(field.replace("\\u005f", "_"));
            }
        }
        assertThat(upstream.getAllServeEvents()).isEmpty();
    }

    @Test
    void neverFollowsAnUpstreamRedirect() throws Exception {
        elsewhere.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
        upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(302)
                .withHeader("location", "http://127.0.0.1:" + elsewhere.port() + "/steal")));
        var r = openAi("gpt", "");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.headers().firstValue("location")).isEmpty();
        assertThat(Http.json(r).at("/error/message").asText()).contains("redirect");
        var a = anthropic("gpt", ""); // the Anthropic client, translated to the redirecting OpenAI upstream
        assertThat(a.statusCode()).isEqualTo(502);
        assertThat(Http.json(a).at("/error/message").asText()).contains("redirect");
        var same = anthropic("claude", "");
        assertThat(same.statusCode()).isEqualTo(502);
        assertThat(Http.json(same).get("type").asText()).isEqualTo("error");
        assertThat(upstream.getAllServeEvents()).hasSize(3);
        assertThat(elsewhere.getAllServeEvents()).isEmpty();
    }

    @Test
    void scrubsCredentialsFromRelayedAndTranslatedUpstreamErrors() throws Exception {
        String echo = "{\"error\":{\"message\":\"Invalid value for 'x' with key " + KEY + " via "
                + "https://proxy:hunter2@relay.internal/v1?key=abcdef123\",\"type\":\"invalid_request_error\","
                + "\"param\":\"x\",\"code\":null}}";
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("content-type", "application/json").withBody(echo)));
        upstream.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(400)
                .withHeader("content-type", "application/json").withBody("{\"type\":\"error\",\"error\":{\"type\":"
                        + "\"invalid_request_error\",\"message\":\"bad key " + KEY + "\"}}")));

        var relayed = openAi("gpt", "");
        assertThat(relayed.statusCode()).isEqualTo(400);
        assertThat(Http.json(relayed).at("/error/message").asText()).isEqualTo("Invalid value for 'x' with key"
                + " [API_KEY] via https://[URL_CREDENTIAL]@relay.internal/v1?key=[URL_CREDENTIAL]");
        assertThat(Http.json(relayed).at("/error/param").asText()).isEqualTo("x");

        var translated = anthropic("gpt", "");
        assertThat(translated.statusCode()).isEqualTo(400);
        var sameAnthropic = anthropic("claude", "");
        assertThat(sameAnthropic.statusCode()).isEqualTo(400);
        assertThat(Http.json(sameAnthropic).at("/error/message").asText()).isEqualTo("bad key [API_KEY]");
        var translatedToAnthropic = openAi("claude", "");
        assertThat(translatedToAnthropic.statusCode()).isEqualTo(400);
        for (var r : List.of(relayed, translated, sameAnthropic, translatedToAnthropic)) {
            assertThat(r.body()).doesNotContain("CANARY").doesNotContain("hunter2").doesNotContain("abcdef123");
        }
        assertThat(gateway.logs()).doesNotContain("CANARY").doesNotContain("hunter2");
    }

    /** A key with no recognisable shape (Azure's, Mistral's) is scrubbed because the gateway knows it sent it. */
    @Test
    void scrubsTheProvidersOwnKeyWhateverItsShape() throws Exception {
        upstream.stubFor(post(urlEqualTo("/plain/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("content-type", "application/json").withBody("{\"error\":{\"message\":\"key "
                        + PLAIN_KEY + " is not allowed to use plain-up\",\"type\":\"invalid_request_error\"}}")));
        var relayed = openAi("plain", "");
        assertThat(relayed.statusCode()).isEqualTo(400);
        assertThat(Http.json(relayed).at("/error/message").asText())
                .isEqualTo("key [API_KEY] is not allowed to use plain-up");
        var translated = anthropic("plain", "");
        assertThat(translated.statusCode()).isEqualTo(400);
        for (var r : List.of(relayed, translated)) {
            assertThat(r.body()).doesNotContain(PLAIN_KEY);
        }
        assertThat(gateway.logs()).doesNotContain(PLAIN_KEY);
    }

    /**
     * A classifier cuts a provider's message (2,000 characters) and a non-JSON body (200) to an excerpt: a key that
     * straddles the cut must not leave its front behind, so the body is scrubbed before it is classified.
     */
    @Test
    void scrubsAKeyThatAnExcerptWouldCutInTwo() throws Exception {
        // The cut leaves 15 characters of the key: too few for the sk- pattern, enough to give part of it away.
        String message = "x".repeat(1984) + " " + KEY;
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("content-type", "application/json").withBody("{\"error\":{\"message\":\"" + message
                        + "\",\"type\":\"invalid_request_error\"}}")));
        upstream.stubFor(post(urlEqualTo("/plain/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                .withHeader("content-type", "text/html").withBody("<html><body>" + "y".repeat(175) + " "
                        + PLAIN_KEY + "</body></html>")));
        String front = KEY.substring(8, 15);
        String plainFront = PLAIN_KEY.substring(0, 12);
        var translated = anthropic("gpt", ""); // the Anthropic client gets the classifier's message
        assertThat(translated.statusCode()).isEqualTo(400);
        assertThat(translated.body()).contains("xxx").doesNotContain(front);
        var html = anthropic("plain", "");
        assertThat(html.statusCode()).isEqualTo(500);
        assertThat(html.body()).contains("yyy").doesNotContain(plainFront);
        assertThat(gateway.logs()).doesNotContain(front).doesNotContain(plainFront);
    }

    @Test
    void scrubsAnErrorInsideACommittedStream() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "text/event-stream").withBody("""
                        event: message_start
                        data: {"type":"message_start","message":{"id":"m1","type":"message","role":"assistant",\
                        "model":"claude-up","content":[],"stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}}

                        event: content_block_start
                        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                        event: content_block_delta
                        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

                        event: error
                        data: {"type":"error","error":{"type":"overloaded_error","message":"key %s overloaded"}}

                        """.formatted(KEY))));
        // The stream is cut after its error event (so it cannot look complete): read raw, up to the close.
        String anthropicBody = "{\"model\":\"claude\",\"max_tokens\":10,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        for (String[] call : List.of(new String[] {"/v1/chat/completions", Http.chat("claude", true)},
                new String[] {"/v1/messages", anthropicBody})) {
            String answer = Http.raw(gateway.url("/").getPort(), "POST " + call[0] + " HTTP/1.1\r\nhost: x\r\n"
                    + "content-type: application/json\r\nanthropic-version: 2023-06-01\r\nx-tollgate-retries: 0\r\n"
                    + "content-length: " + call[1].length() + "\r\n\r\n" + call[1]);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("Hi").contains("[API_KEY]").doesNotContain("CANARY");
        }
        assertThat(gateway.logs()).doesNotContain("CANARY");
    }

    @Test
    void relaysAnErrorWithoutCredentialsByteForByte() throws Exception {
        String body = "{ \"error\" : {\"message\":\"Unsupported \\\"x\\\"\", \"type\":\"invalid_request_error\"} }";
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("content-type", "application/json").withBody(body)));
        assertThat(openAi("gpt", "").body()).isEqualTo(body);
    }
}
