package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.NotFoundException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.models.ModelInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.RunningGateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official Anthropic Java SDK, unchanged but for its base URL: served by an OpenAI-speaking provider (the
 * built-in mock, so every answer is translated both ways) and by an Anthropic upstream (same dialect: passthrough).
 */
class AnthropicSdkTest {
    private static final String ANTHROPIC_REPLY = """
            {"id":"msg_01","type":"message","role":"assistant","model":"claude-up-2025","content":[{"type":"text",\
            "text":"Bonjour"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,\
            "output_tokens":3,"cache_read_input_tokens":5,"cache_creation_input_tokens":0}}""";

    private static WireMockServer anthropic;
    private static RunningGateway gateway;
    private static AnthropicClient client;

    @BeforeAll
    static void start() throws Exception {
        anthropic = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        anthropic.start();
        anthropic.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withBody(ANTHROPIC_REPLY)));
        anthropic.stubFor(post(urlEqualTo("/v1/messages/count_tokens")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withBody("{\"input_tokens\":42}")));
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  mock: { type: mock, mock: { chunks: 5, answer_words: 12 } }
                  claude: { type: anthropic, base_url: http://127.0.0.1:%1$d, api_key: "${env:ANTHROPIC_KEY}" }
                  gemini: { type: gemini, base_url: http://127.0.0.1:%1$d/v1beta, api_key: "${env:ANTHROPIC_KEY}" }
                models:
                  via-openai: { deployments: [ { provider: mock, model: mock-1 } ] }
                  claude-direct: { deployments: [ { provider: claude, model: claude-up } ] }
                  via-gemini: { deployments: [ { provider: gemini, model: gemini-2.5-flash } ] }
                """.formatted(anthropic.port()), Map.of("ANTHROPIC_KEY", "sk-ant-test"));
        client = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.url("/").getPort())
                .apiKey("any-key").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        gateway.close();
        anthropic.stop();
    }

    private static MessageCreateParams.Builder ask(String model, String prompt) {
        return MessageCreateParams.builder().model(model).maxTokens(256).addUserMessage(prompt);
    }

    private static final Tool WEATHER = Tool.builder()
            .name("get_weather")
            .description("Current weather for a city")
            .inputSchema(Tool.InputSchema.builder()
                    .properties(JsonValue.from(Map.of(
                            "city", Map.of("type", "string"),
                            "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
                    .required(List.of("city"))
                    .build())
            .build();

    @Test
    void getsATranslatedAnswerFromAnOpenAiProvider() {
        Message answer = client.messages().create(ask("via-openai", "What is a gateway?").build());
        assertThat(answer.content()).hasSize(1);
        assertThat(answer.content().getFirst().text()).hasValueSatisfying(t -> assertThat(t.text()).isNotBlank());
        assertThat(answer.stopReason()).contains(StopReason.END_TURN);
        assertThat(answer.usage().inputTokens()).isPositive();
        assertThat(answer.usage().outputTokens()).isPositive();
    }

    @Test
    void streamsTheSameTranslatedAnswer() {
        String whole = client.messages().create(ask("via-openai", "Tell me about streams").build())
                .content().getFirst().text().orElseThrow().text();
        var accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream =
                     client.messages().createStreaming(ask("via-openai", "Tell me about streams").build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        Message streamed = accumulator.message();
        assertThat(streamed.content().getFirst().text().orElseThrow().text()).isEqualTo(whole);
        assertThat(streamed.stopReason()).contains(StopReason.END_TURN);
        assertThat(streamed.usage().outputTokens()).isPositive();
    }

    @Test
    void callsToolsWithTheSameArgumentsStreamedOrNot() throws Exception {
        Message answer = client.messages().create(ask("via-openai", "Weather in Paris?").addTool(WEATHER).build());
        assertThat(answer.stopReason()).contains(StopReason.TOOL_USE);
        var use = answer.content().stream().map(ContentBlock::toolUse).flatMap(java.util.Optional::stream)
                .findFirst().orElseThrow();
        assertThat(use.name()).isEqualTo("get_weather");
        var mapper = new ObjectMapper();
        var input = mapper.readTree(mapper.writeValueAsString(use._input()));
        assertThat(input.has("city")).isTrue();

        var accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(
                ask("via-openai", "Weather in Paris?").addTool(WEATHER).build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        var streamedUse = accumulator.message().content().stream().map(ContentBlock::toolUse)
                .flatMap(java.util.Optional::stream).findFirst().orElseThrow();
        assertThat(mapper.readTree(mapper.writeValueAsString(streamedUse._input()))).isEqualTo(input);
    }

    @Test
    void streamsToolCallsFromGemini() throws Exception {
        String transcript = java.nio.file.Files.readString(
                java.nio.file.Path.of("../providers/src/test/resources/fixtures/gemini/tool-call.sse"));
        anthropic.stubFor(post(urlEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"))
                .willReturn(aResponse().withStatus(200).withHeader("content-type", "text/event-stream")
                        .withBody(transcript).withChunkedDribbleDelay(17, 100)));
        var accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(
                ask("via-gemini", "Weather and time in Paris?").addTool(WEATHER).build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        Message message = accumulator.message();
        var uses = message.content().stream().map(ContentBlock::toolUse).flatMap(java.util.Optional::stream).toList();
        assertThat(uses).extracting(u -> u.name()).containsExactly("get_weather", "get_time");
        var mapper = new ObjectMapper();
        assertThat(mapper.readTree(mapper.writeValueAsString(uses.getFirst()._input())))
                .isEqualTo(mapper.readTree("{\"city\":\"Paris, France\",\"unit\":\"celsius\"}"));
        assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(message.usage().outputTokens()).isEqualTo(41);
    }

    @Test
    void passesThroughToAnAnthropicUpstreamWithOnlyTheModelRewritten() throws Exception {
        Message answer = client.messages().create(ask("claude-direct", "Say hi in French")
                .putAdditionalHeader("anthropic-beta", "prompt-caching-2024-07-31").build());
        assertThat(answer.content().getFirst().text().orElseThrow().text()).isEqualTo("Bonjour");
        assertThat(answer.usage().cacheReadInputTokens()).contains(5L);
        var sent = anthropic.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals("/v1/messages")).findFirst().orElseThrow().getRequest();
        var body = new ObjectMapper().readTree(sent.getBodyAsString());
        assertThat(body.get("model").asText()).isEqualTo("claude-up");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(256);
        assertThat(sent.getHeader("x-api-key")).isEqualTo("sk-ant-test");
        assertThat(sent.getHeader("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");
    }

    @Test
    void countsTokensNativelyOrByEstimate() {
        long native_ = client.messages().countTokens(MessageCountTokensParams.builder()
                .model("claude-direct").addUserMessage("How many tokens is this?").build()).inputTokens();
        assertThat(native_).isEqualTo(42);
        long estimated = client.messages().countTokens(MessageCountTokensParams.builder()
                .model("via-openai").addUserMessage("How many tokens is this?").build()).inputTokens();
        assertThat(estimated).isPositive();
    }

    @Test
    void listsModelsAndReportsErrorsInItsOwnShape() {
        List<String> ids = client.models().list().data().stream().map(ModelInfo::id).toList();
        assertThat(ids).containsExactly("via-openai", "claude-direct", "via-gemini");
        assertThatThrownBy(() -> client.messages().create(ask("nope", "hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }
}
