package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.server.testing.RunningGateway;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official SDKs, with their own retries off, see nothing of a failing deployment: the gateway falls back
 * before anything reaches them, streaming or not, in either API.
 */
class SdkFallbackTest {
    private static RunningGateway gateway;
    private static OpenAIClient openai;
    private static AnthropicClient anthropic;

    @BeforeAll
    static void start() throws Exception {
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  broken: { type: mock, mock: { faults: { error_rate: 1, error_status: 503 } } }
                  healthy: { type: mock, mock: { chunks: 4, answer_words: 8 } }
                models:
                  main: { deployments: [ { provider: broken, model: main-1 } ], fallbacks: [backup] }
                  backup: { deployments: [ { provider: healthy, model: backup-1 } ] }
                tiers:
                  economy: [main]
                auto_tier: { default: economy }
                """, Map.of());
        openai = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("k").maxRetries(0).build();
        anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.url("/").getPort())
                .apiKey("k").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        openai.close();
        anthropic.close();
        gateway.close();
    }

    private static ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("What is a fallback?").build();
    }

    private static MessageCreateParams message(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(128).addUserMessage("What is a fallback?")
                .build();
    }

    @Test
    void theOpenAiSdkGetsTheFallbacksAnswer() {
        ChatCompletion answer = openai.chat().completions().create(chat("main"));
        assertThat(answer.choices().getFirst().message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
        assertThat(answer.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isPositive());
    }

    @Test
    void theOpenAiSdkStreamsTheFallbacksAnswer() {
        var accumulator = ChatCompletionAccumulator.create();
        try (com.openai.core.http.StreamResponse<ChatCompletionChunk> stream =
                     openai.chat().completions().createStreaming(chat("auto"))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        assertThat(accumulator.chatCompletion().choices().getFirst().message().content())
                .hasValueSatisfying(t -> assertThat(t).isNotBlank());
    }

    @Test
    void theAnthropicSdkGetsAndStreamsTheFallbacksAnswer() {
        Message whole = anthropic.messages().create(message("main"));
        assertThat(whole.content().getFirst().text()).isPresent();
        var accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(message("main"))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        assertThat(accumulator.message().content().getFirst().text()).isPresent();
        assertThat(accumulator.message().usage().outputTokens()).isPositive();
    }
}
