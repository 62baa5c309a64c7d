package dev.tollgate.providers.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.pricing.TokenCounter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TiktokenCounterTest {
    private static final TokenCounter COUNTER = new TiktokenCounter();
    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

    /** The example conversation of OpenAI's cookbook "How to count tokens with tiktoken". */
    private static final List<Message> COOKBOOK = List.of(
            Message.text(Role.SYSTEM, "You are a helpful, pattern-following assistant that translates corporate "
                    + "jargon into plain English."),
            named("example_user", "New synergies will help drive top-line growth."),
            named("example_assistant", "Things working well together will increase revenue."),
            named("example_user", "Let's circle back when we have more bandwidth to touch base on opportunities "
                    + "for increased leverage."),
            named("example_assistant", "Let's talk later when we're less busy about how to do better."),
            Message.text(Role.USER, "This late pivot means we don't have time to boil the ocean for the client "
                    + "deliverable."));

    @Test
    void theCookbookConversationCountsWhatTheApiReports() {
        // the cookbook's figures, as the API reported them: 129 prompt tokens on gpt-4, 124 on gpt-4o and gpt-4o-mini
        assertThat(COUNTER.inputTokens(chat(COOKBOOK), "openai", "gpt-4-0613")).isEqualTo(129);
        assertThat(COUNTER.inputTokens(chat(COOKBOOK), "openai", "gpt-3.5-turbo")).isEqualTo(129);
        assertThat(COUNTER.inputTokens(chat(COOKBOOK), "openai", "gpt-4o")).isEqualTo(124);
        assertThat(COUNTER.inputTokens(chat(COOKBOOK), "azure-openai", "gpt-4o-mini-2024-07-18")).isEqualTo(124);
    }

    @Test
    void knownTextCounts() {
        // "hello world" is 2 tokens in both vocabularies: [15339, 1917] in cl100k_base, [24912, 2375] in o200k_base
        assertThat(embed("text-embedding-3-small", "hello world")).isEqualTo(2);
        assertThat(embed("text-embedding-ada-002", "hello world", "tiktoken is great!")).isEqualTo(2 + 6);
        // one user message: 3 framing + 1 role + 2 text + 3 reply priming
        assertThat(COUNTER.inputTokens(chat(List.of(Message.text(Role.USER, "hello world"))), "openai", "gpt-4o"))
                .isEqualTo(9);
        assertThat(COUNTER.inputTokens(chat(List.of(Message.text(Role.USER, "hello world"))), "openai", "o3-mini"))
                .isEqualTo(9);
    }

    @Test
    void eachModelFamilyUsesItsVocabulary() {
        // a text whose counts differ between the two vocabularies
        String text = "Ünïcödé naïveté — 東京タワーの高さは333メートルです。";
        int cl100k = REGISTRY.getEncoding(EncodingType.CL100K_BASE).countTokensOrdinary(text);
        int o200k = REGISTRY.getEncoding(EncodingType.O200K_BASE).countTokensOrdinary(text);
        assertThat(cl100k).isNotEqualTo(o200k);
        for (String model : List.of("gpt-4o", "gpt-4.1-nano", "gpt-5-mini", "o1", "o4-mini", "chatgpt-4o-latest")) {
            assertThat(embed(model, text)).as(model).isEqualTo(o200k);
        }
        for (String model : List.of("gpt-4", "gpt-4-turbo", "gpt-3.5-turbo-0125", "text-embedding-3-large")) {
            assertThat(embed(model, text)).as(model).isEqualTo(cl100k);
        }
    }

    @Test
    void specialTokenTextIsCountedAsText() {
        assertThat(embed("text-embedding-3-small", "<|endoftext|>")).isGreaterThan(1);
    }

    @Test
    void toolsNamesCallsResultsAndSchemasAllCount() {
        var plain = chat(List.of(Message.text(Role.USER, "weather in Paris?")));
        long base = COUNTER.inputTokens(plain, "openai", "gpt-4o");

        var tool = new Tool("get_weather", "Current weather for a city",
                new RawJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));
        long withTool = COUNTER.inputTokens(withTools(plain, tool), "openai", "gpt-4o");
        long toolJson = embed("gpt-4o", tool.parameters().json());
        assertThat(withTool - base).isGreaterThan(toolJson + embed("gpt-4o", "get_weather"));

        var conversation = chat(List.of(Message.text(Role.USER, "weather in Paris?"),
                new Message(Role.ASSISTANT, List.of(new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")), null),
                new Message(Role.TOOL, List.of(new Part.ToolResult("call_1", "18C and sunny")), null)));
        assertThat(COUNTER.inputTokens(conversation, "openai", "gpt-4o"))
                .isGreaterThan(base + embed("gpt-4o", "{\"city\":\"Paris\"}") + embed("gpt-4o", "18C and sunny"));

        var schema = new ChatRequest("m", plain.messages(), Sampling.DEFAULTS, List.of(), null,
                new ResponseFormat.JsonSchema("answer", new RawJson("{\"type\":\"object\"}"), true), false, false,
                null, Map.of(), "openai");
        assertThat(COUNTER.inputTokens(schema, "openai", "gpt-4o")).isGreaterThan(base);
    }

    @Test
    void imagesCountAFlatHighFigure() {
        var text = chat(List.of(Message.text(Role.USER, "what is this?")));
        var image = chat(List.of(new Message(Role.USER,
                List.of(new Part.Text("what is this?"), new Part.Image("https://example.com/a.png", "low")), null)));
        assertThat(COUNTER.inputTokens(image, "openai", "gpt-4o") - COUNTER.inputTokens(text, "openai", "gpt-4o"))
                .isEqualTo(TiktokenCounter.IMAGE_TOKENS);
        assertThat(COUNTER.inputTokens(image, "openai", "gpt-4o-mini")
                - COUNTER.inputTokens(text, "openai", "gpt-4o-mini")).isEqualTo(48_169);
        assertThat(COUNTER.inputTokens(image, "anthropic", "claude-sonnet-4-5")
                - COUNTER.inputTokens(text, "anthropic", "claude-sonnet-4-5")).isEqualTo(TiktokenCounter.IMAGE_TOKENS);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Hello, world",
        "The quick brown fox jumps over the lazy dog.",
        "for (int i = 0; i < n; i++) { sum += values[i] * weights[i]; } // dot product",
        "{\"id\":\"a1b2c3\",\"items\":[{\"sku\":\"X-1\",\"qty\":3},{\"sku\":\"Y-22\",\"qty\":10}]}",
        "東京タワーの高さは333メートルです。北京是中华人民共和国的首都。",
        "Съешь же ещё этих мягких французских булок, да выпей чаю.",
        "🙂🚀✨ naïve façade — déjà vu",
    })
    void otherProvidersAreEstimatedAboveEveryExactCount(String text) {
        var request = chat(List.of(Message.text(Role.USER, text)));
        long exactMost = Math.max(COUNTER.inputTokens(request, "openai", "gpt-4"),
                COUNTER.inputTokens(request, "openai", "gpt-4o"));
        for (String model : List.of("claude-sonnet-4-5", "gemini-2.5-flash", "llama-3.1-8b-instant")) {
            long estimate = COUNTER.inputTokens(request, "anthropic", model);
            assertThat(estimate).as(model).isGreaterThanOrEqualTo(exactMost * 3 / 2);
            assertThat(estimate).as(model).isGreaterThanOrEqualTo(text.codePointCount(0, text.length()) / 2);
        }
        long estimated = embed("gemini-embedding-001", text);
        assertThat(estimated).isGreaterThan(embed("text-embedding-3-small", text));
    }

    @Test
    void otherProvidersAreEstimatedAboveTheirPublishedCounts() {
        // Anthropic's token-counting docs: one user message "Hello, world" is 14 input tokens
        assertThat(COUNTER.inputTokens(chat(List.of(Message.text(Role.USER, "Hello, world"))), "anthropic",
                "claude-sonnet-4-5")).isGreaterThanOrEqualTo(14);
        // Anthropic's tool-use docs: offering tools adds a hidden system prompt of up to 530 tokens (Claude 3 Opus)
        var tool = new Tool("get_weather", null, new RawJson("{\"type\":\"object\"}"));
        var request = withTools(chat(List.of(Message.text(Role.USER, "weather?"))), tool);
        assertThat(COUNTER.inputTokens(request, "anthropic", "claude-3-opus-20240229")).isGreaterThan(530);
    }

    @Test
    void embeddingsOfOtherProvidersErrHighPerInput() {
        var counter = new TiktokenCounter();
        long one = counter.inputTokens(embeddings("hello world"), "bedrock", "amazon.titan-embed-text-v2:0");
        // ceil(2 x 1.5) + 2 markers
        assertThat(one).isEqualTo(5);
        assertThat(counter.inputTokens(embeddings("hello world", "hello world"), "gemini", "gemini-embedding-001"))
                .isEqualTo(2 * one);
    }

    @Test
    void theDefaultEmbeddingCountOfThePortErrsHigh() {
        TokenCounter estimateOnly = (request, type, model) -> 0;
        assertThat(estimateOnly.inputTokens(embeddings("hello world", ""), "openai", "m")).isEqualTo(6 + 1);
    }

    private long embed(String model, String... inputs) {
        return COUNTER.inputTokens(embeddings(inputs), "openai", model);
    }

    private static EmbeddingRequest embeddings(String... inputs) {
        return new EmbeddingRequest("m", List.of(inputs), null, null, null, Map.of());
    }

    private static Message named(String name, String text) {
        return new Message(Role.SYSTEM, List.of(new Part.Text(text)), name);
    }

    private static ChatRequest chat(List<Message> messages) {
        return new ChatRequest("m", messages, Sampling.DEFAULTS, List.of(), null, null, false, false, null, Map.of(),
                "openai");
    }

    private static ChatRequest withTools(ChatRequest request, Tool... tools) {
        return new ChatRequest(request.model(), request.messages(), request.sampling(), List.of(tools), null, null,
                false, false, null, Map.of(), "openai");
    }
}
