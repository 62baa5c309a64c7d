package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.RunningGateway;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Same dialect both sides: the upstream gets the client's JSON with only the model rewritten (and usage asked for
 * when streaming), and the client gets byte for byte what OpenAI would have sent it.
 */
class PassthroughFidelityTest {
    private static final String CHUNK = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-up-2024\",\"choices\":[%s]%s}\n\n";
    private static final String ROLE = "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}";
    private static final String HELLO = "{\"index\":0,\"delta\":{\"content\":\"Hello \\u00e9\"},\"finish_reason\":null}";
    private static final String STOP = "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}";
    private static final String USAGE = ",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}";

    /** What OpenAI sends with stream_options.include_usage (and so what the gateway always asks for). */
    private static final String WITH_USAGE = CHUNK.formatted(ROLE, ",\"usage\":null")
            + CHUNK.formatted(HELLO, ",\"usage\":null") + CHUNK.formatted(STOP, ",\"usage\":null")
            + CHUNK.formatted("", USAGE) + "data: [DONE]\n\n";
    /** What OpenAI sends without it. */
    private static final String WITHOUT_USAGE = CHUNK.formatted(ROLE, "") + CHUNK.formatted(HELLO, "")
            + CHUNK.formatted(STOP, "") + "data: [DONE]\n\n";

    private static WireMockServer upstream;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  up: { type: openai, base_url: http://127.0.0.1:%d/v1, headers: { OpenAI-Organization: org-7 } }
                models:
                  public-name: { deployments: [ { provider: up, model: gpt-up } ] }
                """.formatted(upstream.port()), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.stop();
    }

    @BeforeEach
    void stub() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "text/event-stream").withBody(WITH_USAGE)));
    }

    private static JsonNode sentUpstream() throws Exception {
        return Http.JSON.readTree(upstream.getAllServeEvents().getFirst().getRequest().getBodyAsString());
    }

    @Test
    void forwardsUnknownFieldsAndRewritesOnlyTheModel() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                + "\"x_vendor\":{\"keep\":[1,2,{\"deep\":true}]},\"model\":\"public-name\",\"temperature\":0.2}";
        Http.post(gateway.url("/v1/chat/completions"), body);
        JsonNode sent = sentUpstream();
        assertThat(sent.get("model").asText()).isEqualTo("gpt-up");
        assertThat(sent.get("x_vendor").toString()).isEqualTo("{\"keep\":[1,2,{\"deep\":true}]}");
        assertThat(sent.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.get("stream_options").get("include_usage").asBoolean()).isTrue();
        var request = upstream.getAllServeEvents().getFirst().getRequest();
        assertThat(request.getHeader("OpenAI-Organization")).isEqualTo("org-7");
    }

    @Test
    void givesAClientThatDidNotAskForUsageTheStreamOpenAiWouldHaveSent() throws Exception {
        var r = Http.post(gateway.url("/v1/chat/completions"), Http.chat("public-name", true));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
        assertThat(r.body()).isEqualTo(WITHOUT_USAGE);
    }

    @Test
    void givesAClientThatAskedForUsageTheUpstreamStreamUntouched() throws Exception {
        String body = "{\"model\":\"public-name\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        var r = Http.post(gateway.url("/v1/chat/completions"), body);
        assertThat(r.body()).isEqualTo(WITH_USAGE);
    }

    @Test
    void relaysNonStreamedAnswersUnchanged() throws Exception {
        String answer = "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-up-2024\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                + "\"total_tokens\":4},\"service_tier\":\"default\",\"system_fingerprint\":\"fp_1\"}";
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withBody(answer)));
        var r = Http.post(gateway.url("/v1/chat/completions"), Http.chat("public-name", false));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(answer);
        assertThat(sentUpstream().has("stream_options")).isFalse();
        Thread.sleep(200);
        assertThat(gateway.logs()).contains("\"tokens_in\":3,\"tokens_out\":1");
    }
}
