package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.tollgate.server.testing.RunningGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, unchanged but for its base URL, against the gateway and its mock provider. */
class OpenAiSdkTest {
    private static final String CONFIG = """
            server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
            providers:
              mock: { type: mock, mock: { chunks: 5, answer_words: 12 } }
            models:
              fast: { deployments: [ { provider: mock, model: mock-1 } ] }
              embed: { mode: embeddings, deployments: [ { provider: mock, model: mock-embed } ] }
            """;

    private static RunningGateway gateway;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        gateway = RunningGateway.start(CONFIG, Map.of());
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("any-key").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        gateway.close();
    }

    private static ChatCompletionCreateParams.Builder ask(String prompt) {
        return ChatCompletionCreateParams.builder().model("fast").addUserMessage(prompt);
    }

    @Test
    void answersAChatCompletion() {
        ChatCompletion answer = client.chat().completions().create(ask("What is a gateway?").build());
        assertThat(answer.choices()).hasSize(1);
        assertThat(answer.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
        assertThat(answer.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(answer.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isPositive();
            assertThat(u.completionTokens()).isPositive();
        });
    }

    @Test
    void streamsTheSameAnswerWithUsageOnlyWhenAsked() {
        String whole = client.chat().completions().create(ask("Tell me about streams").build())
                .choices().getFirst().message().content().orElseThrow();

        List<ChatCompletionChunk> plain = collect(ask("Tell me about streams").build());
        assertThat(text(plain)).isEqualTo(whole);
        assertThat(plain).allSatisfy(c -> assertThat(c.usage()).isEmpty());
        assertThat(plain).allSatisfy(c -> assertThat(c.choices()).isNotEmpty());

        List<ChatCompletionChunk> withUsage = collect(ask("Tell me about streams")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
        assertThat(text(withUsage)).isEqualTo(whole);
        ChatCompletionChunk last = withUsage.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isPositive());
    }

    @Test
    void callsToolsWithArgumentsMatchingTheSchema() throws Exception {
        var weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather")
                .description("Current weather for a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                "city", Map.of("type", "string"),
                                "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .build()).build();
        ChatCompletion answer = client.chat().completions().create(ask("Weather in Paris?").addTool(weather).build());
        var call = answer.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.function().name()).isEqualTo("get_weather");
        var args = new ObjectMapper().readTree(call.function().arguments());
        assertThat(args.has("city")).isTrue();

        var streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream =
                     client.chat().completions().createStreaming(ask("Weather in Paris?").addTool(weather).build())) {
            stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().toolCalls().ifPresent(calls ->
                    calls.forEach(t -> t.function().flatMap(f -> f.arguments()).ifPresent(streamed::append)))));
        }
        assertThat(streamed.toString()).isEqualTo(call.function().arguments());
    }

    @Test
    void servesEmbeddingsAndTheModelList() {
        var embedding = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("embed").input("hello world").build());
        assertThat(embedding.data()).hasSize(1);
        assertThat(embedding.data().getFirst().embedding()).hasSize(256);

        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertThat(ids).containsExactly("fast", "embed");
    }

    @Test
    void reportsErrorsTheWayTheSdkExpects() {
        assertThatThrownBy(() -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("nope").addUserMessage("hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.code()).contains("model_not_found");
                });
        assertThatThrownBy(() -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("embed").addUserMessage("hi").build()))
                .isInstanceOf(BadRequestException.class);
    }

    private static List<ChatCompletionChunk> collect(ChatCompletionCreateParams params) {
        var chunks = new ArrayList<ChatCompletionChunk>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }
        return chunks;
    }

    private static String text(List<ChatCompletionChunk> chunks) {
        var out = new StringBuilder();
        chunks.forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(out::append)));
        return out.toString();
    }
}
