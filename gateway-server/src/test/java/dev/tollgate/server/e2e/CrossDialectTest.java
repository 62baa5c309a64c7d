package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.server.testing.EventStreamWriter;
import dev.tollgate.server.testing.RunningGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI SDK served by providers that speak other APIs: each upstream replays a transcript written from that
 * provider's API reference (the providers module's fixtures), dribbled in many small chunks so events and UTF-8
 * characters arrive split. The client must see the provider's text, tool arguments identical after reassembly,
 * the finish reason and usage.
 */
class CrossDialectTest {
    private static final Path FIXTURES = Path.of("../providers/src/test/resources/fixtures");

    private static WireMockServer upstream;
    private static RunningGateway gateway;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        String base = "http://127.0.0.1:" + upstream.port();
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  claude: { type: anthropic, base_url: %1$s, api_key: "${env:KEY}" }
                  gemini: { type: gemini, base_url: %1$s/v1beta, api_key: "${env:KEY}" }
                  azure: { type: azure-openai, base_url: %1$s, api_key: "${env:KEY}", api_version: "2024-10-21" }
                  bedrock:
                    type: bedrock
                    base_url: %1$s
                    region: us-east-1
                    aws_access_key_id: "${env:AWS_ID}"
                    aws_secret_access_key: "${env:AWS_SECRET}"
                models:
                  claude: { deployments: [ { provider: claude, model: claude-sonnet } ] }
                  gemini: { deployments: [ { provider: gemini, model: gemini-2.5-flash } ] }
                  azure: { deployments: [ { provider: azure, model: gpt-4o-deployment } ] }
                  bedrock: { deployments: [ { provider: bedrock, model: anthropic.claude-test } ] }
                  gemini-embed: { mode: embeddings, deployments: [ { provider: gemini, model: text-embedding-004 } ] }
                """.formatted(base), Map.of("KEY", "upstream-key", "AWS_ID", "AKIDTEST", "AWS_SECRET", "secret-test"));
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("k").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        gateway.close();
        upstream.stop();
    }

    private static String fixture(String name) throws IOException {
        return Files.readString(FIXTURES.resolve(name), StandardCharsets.UTF_8);
    }

    private static void streams(String url, String transcript) {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(url)).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "text/event-stream").withBody(transcript)
                .withChunkedDribbleDelay(41, 200)));
    }

    private static ChatCompletionCreateParams.Builder ask(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("What's the weather?")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
    }

    /** What the SDK reassembles from a stream: text, arguments per tool-call index, finish reason, last usage. */
    private record Seen(String text, Map<Long, String> arguments, Map<Long, String> names, String finish,
                        long promptTokens, long completionTokens) {}

    private static Seen collect(ChatCompletionCreateParams params) {
        var text = new StringBuilder();
        var args = new LinkedHashMap<Long, StringBuilder>();
        var names = new LinkedHashMap<Long, String>();
        var finish = new StringBuilder();
        long[] usage = {-1, -1};
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.usage().ifPresent(u -> {
                    usage[0] = u.promptTokens();
                    usage[1] = u.completionTokens();
                });
                for (var choice : chunk.choices()) {
                    choice.delta().content().ifPresent(text::append);
                    choice.finishReason().ifPresent(f -> finish.append(f.asString()));
                    choice.delta().toolCalls().ifPresent(calls -> calls.forEach(call -> {
                        call.function().flatMap(f -> f.name()).ifPresent(n -> names.put(call.index(), n));
                        call.function().flatMap(f -> f.arguments()).ifPresent(a ->
                                args.computeIfAbsent(call.index(), i -> new StringBuilder()).append(a));
                    }));
                }
            });
        }
        var arguments = new LinkedHashMap<Long, String>();
        args.forEach((i, b) -> arguments.put(i, b.toString()));
        return new Seen(text.toString(), arguments, names, finish.toString(), usage[0], usage[1]);
    }

    /** Anthropic SSE data lines, parsed. */
    private static List<JsonNode> dataLines(String transcript) throws IOException {
        var out = new ArrayList<JsonNode>();
        for (String line : transcript.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                out.add(Http.JSON.readTree(line.substring(6)));
            }
        }
        return out;
    }

    @Test
    void anthropicToolCallsArriveWithByteIdenticalArguments() throws Exception {
        String transcript = fixture("anthropic/tool-use.sse");
        var text = new StringBuilder();
        var partial = new StringBuilder();
        for (JsonNode event : dataLines(transcript)) {
            JsonNode delta = event.path("delta");
            text.append(delta.path("text").asText(""));
            partial.append(delta.path("partial_json").asText(""));
        }
        streams("/v1/messages", transcript);
        Seen seen = collect(ask("claude").build());
        assertThat(seen.text()).isEqualTo(text.toString());
        assertThat(seen.names()).containsEntry(0L, "get_weather");
        assertThat(seen.arguments()).containsEntry(0L, partial.toString());
        assertThat(seen.finish()).isEqualTo("tool_calls");
        assertThat(seen.promptTokens()).isEqualTo(472);
        assertThat(seen.completionTokens()).isEqualTo(89);
        JsonNode sent = Http.JSON.readTree(upstream.getAllServeEvents().getFirst().getRequest().getBodyAsString());
        assertThat(sent.get("model").asText()).isEqualTo("claude-sonnet");
        assertThat(sent.get("stream").asBoolean()).isTrue();
    }

    @Test
    void anthropicNonStreamedAnswersAreTranslated() throws Exception {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withBody(fixture("anthropic/reply-tool-use.json"))));
        ChatCompletion answer = client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("claude").addUserMessage("What's the weather?").build());
        JsonNode reply = Http.JSON.readTree(fixture("anthropic/reply-tool-use.json"));
        var uses = new ArrayList<JsonNode>();
        for (JsonNode block : reply.path("content")) {
            if (block.path("type").asText().equals("tool_use")) {
                uses.add(block);
            }
        }
        var calls = answer.choices().getFirst().message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(uses.size());
        for (int i = 0; i < uses.size(); i++) {
            var call = calls.get(i).asFunction();
            assertThat(call.id()).isEqualTo(uses.get(i).path("id").asText());
            assertThat(call.function().name()).isEqualTo(uses.get(i).path("name").asText());
            assertThat(Http.JSON.readTree(call.function().arguments())).isEqualTo(uses.get(i).path("input"));
        }
        assertThat(answer.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    }

    @Test
    void geminiTextAndWholeToolCallsStreamThrough() throws Exception {
        streams("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", fixture("gemini/text.sse"));
        Seen text = collect(ask("gemini").build());
        assertThat(text.text()).isEqualTo("Hello! How can I help you today? 😀");
        assertThat(text.finish()).isEqualTo("stop");
        assertThat(text.promptTokens()).isEqualTo(8);
        assertThat(text.completionTokens()).isEqualTo(11);
        assertThat(upstream.getAllServeEvents().getFirst().getRequest().getHeader("x-goog-api-key"))
                .isEqualTo("upstream-key");

        streams("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", fixture("gemini/tool-call.sse"));
        Seen tools = collect(ask("gemini").build());
        assertThat(tools.names()).containsEntry(0L, "get_weather").containsEntry(1L, "get_time");
        assertThat(Http.JSON.readTree(tools.arguments().get(0L)))
                .isEqualTo(Http.JSON.readTree("{\"city\":\"Paris, France\",\"unit\":\"celsius\"}"));
        assertThat(tools.finish()).isEqualTo("tool_calls");
    }

    @Test
    void azureIsServedAsTheSameDialect() throws Exception {
        upstream.resetAll();
        String answer = "{\"id\":\"chatcmpl-az\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi from Azure\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}";
        upstream.stubFor(post(urlPathEqualTo("/openai/deployments/gpt-4o-deployment/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("content-type", "application/json").withBody(answer)));
        var r = Http.post(gateway.url("/v1/chat/completions"), Http.chat("azure", false));
        assertThat(r.body()).isEqualTo(answer);
        var sent = upstream.getAllServeEvents().getFirst().getRequest();
        assertThat(sent.getUrl()).isEqualTo("/openai/deployments/gpt-4o-deployment/chat/completions?api-version=2024-10-21");
        assertThat(sent.getHeader("api-key")).isEqualTo("upstream-key");
    }

    @Test
    void bedrockEventStreamsArriveThroughTheBinaryFraming() throws Exception {
        // The fixture's event:/data: blocks become AWS event-stream messages, as Bedrock sends them.
        var binary = new java.io.ByteArrayOutputStream();
        var partials = new LinkedHashMap<Integer, StringBuilder>();
        for (String block : fixture("bedrock/tool-use.sse").split("\n\n")) {
            String type = block.lines().filter(l -> l.startsWith("event: ")).findFirst().orElseThrow().substring(7);
            String data = block.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
            binary.writeBytes(EventStreamWriter.event(type, data));
            JsonNode payload = Http.JSON.readTree(data);
            String input = payload.path("delta").path("toolUse").path("input").asText("");
            partials.computeIfAbsent(payload.path("contentBlockIndex").asInt(), i -> new StringBuilder()).append(input);
        }
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo("/model/anthropic.claude-test/converse-stream")).willReturn(aResponse()
                .withStatus(200).withHeader("content-type", "application/vnd.amazon.eventstream")
                .withBody(binary.toByteArray()).withChunkedDribbleDelay(29, 150)));
        Seen seen = collect(ask("bedrock").build());
        assertThat(seen.text()).isEqualTo("Let me check.");
        assertThat(seen.names()).containsEntry(0L, "get_weather").containsEntry(1L, "get_time");
        assertThat(seen.arguments()).containsEntry(0L, partials.get(1).toString())
                .containsEntry(1L, partials.get(2).toString());
        assertThat(seen.finish()).isEqualTo("tool_calls");
        assertThat(seen.promptTokens()).isEqualTo(412);
        assertThat(seen.completionTokens()).isEqualTo(87);
        var sent = upstream.getAllServeEvents().getFirst().getRequest();
        assertThat(sent.getHeader("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
                .doesNotContain("secret-test");
    }

    @Test
    void embeddingsAreTranslatedAndUsageIsEstimatedWhenTheProviderReportsNone() throws Exception {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo("/v1beta/models/text-embedding-004:batchEmbedContents")).willReturn(
                aResponse().withStatus(200).withHeader("content-type", "application/json")
                        .withBody("{\"embeddings\":[{\"values\":[0.25,-0.5,0.75]},{\"values\":[1.0,0.0,0.0]}]}")));
        var response = client.embeddings().create(com.openai.models.embeddings.EmbeddingCreateParams.builder()
                .model("gemini-embed").inputOfArrayOfStrings(List.of("first text", "second")).build());
        assertThat(response.data()).hasSize(2);
        assertThat(response.data().getFirst().embedding()).containsExactly(0.25f, -0.5f, 0.75f);
        assertThat(response.usage().promptTokens()).isPositive();
        JsonNode sent = Http.JSON.readTree(upstream.getAllServeEvents().getFirst().getRequest().getBodyAsString());
        assertThat(sent.path("requests")).hasSize(2);
        Thread.sleep(100);
        assertThat(gateway.logs()).contains("\"route\":\"embeddings\",\"model\":\"gemini-embed\"")
                .contains("\"usage_reported\":false");
    }
}
