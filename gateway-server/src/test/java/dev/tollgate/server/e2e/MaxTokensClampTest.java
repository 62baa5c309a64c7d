package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request asking for more output tokens than its model can give is sent asking for the model's maximum, and the
 * client is told so: on the passthrough (the body's bytes spliced) and the translated path, in both dialects.
 */
class MaxTokensClampTest {
    private static WireMockServer upstream;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  oai: { type: openai, base_url: "http://127.0.0.1:%1$d/v1", api_key: k }
                  ant: { type: anthropic, base_url: "http://127.0.0.1:%1$d", api_key: k }
                models:
                  gpt: { deployments: [ { provider: oai, model: gpt-capped } ] }
                  claude: { deployments: [ { provider: ant, model: claude-capped } ] }
                  claude-small: { deployments: [ { provider: ant, model: claude-small } ] }
                prices:
                  gpt-capped: { input: 1, output: 2, max_output_tokens: 1000 }
                  claude-capped: { input: 1, output: 2, max_output_tokens: 2000 }
                  claude-small: { input: 1, output: 2, max_output_tokens: 1024 }
                """.formatted(upstream.port()), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.stop();
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withBody("""
                        {"id":"c1","object":"chat.completion","created":1,"model":"gpt-capped","choices":[{"index":0,
                        "message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                        "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""")));
        upstream.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withBody("""
                        {"id":"m1","type":"message","role":"assistant","model":"claude-capped","content":[{"type":
                        "text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}""")));
    }

    private static HttpResponse<String> openAi(String model, String caps) throws Exception {
        return Http.post(gateway.url("/v1/chat/completions"), "{\"model\":\"" + model + "\"" + caps
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private static HttpResponse<String> anthropic(String model, int maxTokens) throws Exception {
        return Http.post(gateway.url("/v1/messages"), "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "anthropic-version", "2023-06-01");
    }

    private static JsonNode sent(String path) throws Exception {
        var events = upstream.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().equals(path)).toList();
        assertThat(events).hasSize(1);
        return Http.JSON.readTree(events.getFirst().getRequest().getBodyAsString());
    }

    private static void assertClamped(HttpResponse<String> r, String header) {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-max-tokens-clamped")).hasValue(header);
    }

    @Test
    void clampsThePassthroughBody() throws Exception {
        assertClamped(openAi("gpt", ",\"max_tokens\":1000000000,\"max_completion_tokens\":5000"), "5000->1000");
        JsonNode body = sent("/v1/chat/completions");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(1000);
        assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(1000);
        assertThat(body.get("model").asText()).isEqualTo("gpt-capped");

        upstream.resetRequests();
        assertClamped(anthropic("claude", 64000), "64000->2000");
        assertThat(sent("/v1/messages").get("max_tokens").asInt()).isEqualTo(2000);
    }

    @Test
    void clampsTheTranslatedRequest() throws Exception {
        assertClamped(openAi("claude", ",\"max_completion_tokens\":100000"), "100000->2000");
        assertThat(sent("/v1/messages").get("max_tokens").asInt()).isEqualTo(2000);

        upstream.resetRequests();
        assertClamped(anthropic("gpt", 4096), "4096->1000");
        assertThat(sent("/v1/chat/completions").at("/max_completion_tokens").asInt(
                sent("/v1/chat/completions").at("/max_tokens").asInt())).isEqualTo(1000);
    }

    @Test
    void leavesACapWithinTheModelsAlone() throws Exception {
        var r = openAi("gpt", ",\"max_tokens\":1000");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-max-tokens-clamped")).isEmpty();
        assertThat(sent("/v1/chat/completions").get("max_tokens").asInt()).isEqualTo(1000);
        upstream.resetRequests();
        var none = openAi("gpt", "");
        assertThat(none.headers().firstValue("x-tollgate-max-tokens-clamped")).isEmpty();
        assertThat(sent("/v1/chat/completions").has("max_tokens")).isFalse();
    }

    /**
     * A client that sets max_completion_tokens within the model's maximum and a max_tokens far above it: a
     * compatible server that reads max_tokens (llama.cpp's, older ones) must not be asked for more than the model
     * gives either. The client's effective cap was not changed, so nothing is announced.
     */
    @Test
    void lowersTheOtherCapTooWhenOnlyItIsAboveTheModels() throws Exception {
        var r = openAi("gpt", ",\"max_tokens\":1000000000,\"max_completion_tokens\":500");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-max-tokens-clamped")).isEmpty();
        JsonNode body = sent("/v1/chat/completions");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(1000);
        assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(500);
    }

    /**
     * An OpenAI client that sets no cap, translated to Anthropic (which requires one): the adapter's default is
     * lowered to a model that answers with fewer, or Anthropic would refuse the request.
     */
    @Test
    void lowersTheTranslatedDefaultToTheModels() throws Exception {
        var r = openAi("claude-small", "");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-max-tokens-clamped")).isEmpty();
        assertThat(sent("/v1/messages").get("max_tokens").asInt()).isEqualTo(1024);
        upstream.resetRequests();
        assertThat(openAi("claude", "").statusCode()).isEqualTo(200);
        assertThat(sent("/v1/messages").get("max_tokens").asInt()).isEqualTo(2000); // the default, 4096, lowered
    }
}
