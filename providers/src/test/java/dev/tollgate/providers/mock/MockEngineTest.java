package dev.tollgate.providers.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.eval.Judgement;
import dev.tollgate.core.eval.Rubrics;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.providers.ProviderAdapterContract;
import dev.tollgate.providers.openai.OpenAiAdapter;
import dev.tollgate.providers.openai.OpenAiDialect;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MockEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MockEngine engine = new MockEngine(MockProfile.DEFAULTS);

    static ChatRequest ask(String text) {
        return ask(text, null, List.of(), null);
    }

    static ChatRequest ask(String text, Integer maxTokens, List<Tool> tools, ToolChoice choice) {
        return new ChatRequest("mock-model",
                List.of(Message.text(Role.SYSTEM, "Be helpful."), Message.text(Role.USER, text)),
                new Sampling(null, null, maxTokens, List.of(), null, null, null, null),
                tools, choice, null, false, false, null, Map.of(), "openai");
    }

    static String text(ChatResponse response) {
        return ((Part.Text) response.output().getFirst()).text();
    }

    @Test
    void theSameRequestGetsTheSameAnswer() {
        assertThat(engine.answer(ask("How do tides work?"), "id", 1)).isEqualTo(engine.answer(ask("How do tides work?"), "id", 1));
        assertThat(new MockEngine(MockProfile.DEFAULTS).answer(ask("How do tides work?"), "id", 1))
                .isEqualTo(engine.answer(ask("How do tides work?"), "id", 1));
    }

    @Test
    void differentPromptsGetDifferentAnswers() {
        assertThat(text(engine.answer(ask("How do tides work?"), "id", 1)))
                .isNotEqualTo(text(engine.answer(ask("How do tides work!"), "id", 1)));
        // Even when the quoted start is identical, the words drawn from the whole conversation differ.
        String longA = "one two three four five six seven";
        String longB = "one two three four five six eight";
        assertThat(text(engine.answer(ask(longA), "id", 1))).isNotEqualTo(text(engine.answer(ask(longB), "id", 1)));
    }

    @Test
    void anAnswerQuotesThePromptAndHasTheProfilesLength() {
        ChatResponse response = engine.answer(ask("  Tell me\nabout \"the\" sea, please, in detail"), "chatcmpl-1", 1741570000);
        String text = text(response);
        assertThat(text).startsWith("Echo: \"Tell me about the sea, please,\" ").endsWith(".");
        assertThat(text.split(" ")).hasSize(MockProfile.DEFAULTS.answerWords());
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.id()).isEqualTo("chatcmpl-1");
        assertThat(response.model()).isEqualTo("mock-model");
        assertThat(response.created()).isEqualTo(1741570000);
        assertThat(response.usage().reported()).isTrue();
        assertThat(response.usage().outputTokens()).isEqualTo(MockProfile.DEFAULTS.answerWords());
        assertThat(response.usage().inputTokens()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void maxTokensCapsTheAnswer() {
        ChatResponse response = engine.answer(ask("Tell me everything", 5, List.of(), null), "id", 1);
        assertThat(text(response).split(" ")).hasSize(5);
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.usage().outputTokens()).isEqualTo(5);
        ChatResponse roomy = engine.answer(ask("Tell me everything", 1000, List.of(), null), "id", 1);
        assertThat(roomy.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void inputTokensGrowWithThePrompt() {
        long small = engine.answer(ask("hi"), "id", 1).usage().inputTokens();
        long large = engine.answer(ask("hi ".repeat(400)), "id", 1).usage().inputTokens();
        assertThat(large - small).isBetween(290L, 310L);
    }

    static final Tool WEATHER = new Tool("get_weather", "Weather for a place", new RawJson("""
            {"type":"object",
             "properties":{
               "location":{"type":"string","minLength":3},
               "unit":{"type":"string","enum":["celsius","fahrenheit"]},
               "days":{"type":"integer","minimum":1,"maximum":14},
               "threshold":{"type":["number","null"],"exclusiveMinimum":0.5},
               "alerts":{"type":"boolean"},
               "tags":{"type":"array","items":{"type":"string"}},
               "when":{"type":"string","format":"date-time"},
               "coords":{"$ref":"#/$defs/coords"},
               "kind":{"anyOf":[{"type":"null"},{"const":"forecast"}]}
             },
             "required":["location","unit","coords","id"],
             "$defs":{"coords":{"type":"object","properties":{"lat":{"type":"number"},"lon":{"type":"number"}},"required":["lat","lon"]}}
            }"""));
    static final Tool SEARCH = new Tool("search", null, new RawJson("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}"));

    @Test
    void toolsGetACallWithArgumentsThatFitTheSchema() throws IOException {
        ChatResponse response = engine.answer(ask("Weather in Oslo?", null, List.of(WEATHER), new ToolChoice.Auto()), "id", 1);
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        Part.ToolCall call = (Part.ToolCall) response.output().getFirst();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.id()).matches("call_[0-9a-f]{24}");
        JsonNode args = JSON.readTree(call.arguments());
        assertThat(args.has("location") && args.has("unit") && args.has("coords") && args.has("id")).isTrue();
        assertThat(args.path("location").textValue()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(args.path("unit").textValue()).isEqualTo("celsius");
        assertThat(args.path("days").isIntegralNumber()).isTrue();
        assertThat(args.path("days").asInt()).isBetween(1, 14);
        assertThat(args.path("threshold").asDouble()).isGreaterThan(0.5);
        assertThat(args.path("alerts").isBoolean()).isTrue();
        assertThat(args.path("tags").isArray() && args.path("tags").size() == 1 && args.path("tags").get(0).isTextual()).isTrue();
        assertThat(args.path("when").asText()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(args.path("coords").path("lat").isNumber() && args.path("coords").path("lon").isNumber()).isTrue();
        assertThat(args.path("kind").asText()).isEqualTo("forecast");
        assertThat(response.usage().outputTokens()).isEqualTo((call.arguments().length() + 3) / 4);
        assertThat(engine.answer(ask("Weather in Oslo?", null, List.of(WEATHER), new ToolChoice.Auto()), "id", 1)).isEqualTo(response);
    }

    @Test
    void theToolChoiceDecidesWhetherAndWhichToolIsCalled() {
        List<Tool> tools = List.of(WEATHER, SEARCH);
        ChatResponse named = engine.answer(ask("x", null, tools, new ToolChoice.Named("search")), "id", 1);
        assertThat(((Part.ToolCall) named.output().getFirst()).name()).isEqualTo("search");
        ChatResponse none = engine.answer(ask("x", null, tools, new ToolChoice.None()), "id", 1);
        assertThat(none.output().getFirst()).isInstanceOf(Part.Text.class);
        assertThat(none.finishReason()).isEqualTo(FinishReason.STOP);
        assertThatThrownBy(() -> engine.answer(ask("x", null, tools, new ToolChoice.Named("nope")), "id", 1))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().param()).isEqualTo("tool_choice"));
        var picked = new java.util.HashSet<String>();
        for (int i = 0; i < 20; i++) {
            picked.add(((Part.ToolCall) engine.answer(ask("prompt " + i, null, tools, null), "id", 1).output().getFirst()).name());
        }
        assertThat(picked).containsExactlyInAnyOrder("get_weather", "search");
    }

    static ChatRequest structured(String text, String schema) {
        return new ChatRequest("mock-model", List.of(Message.text(Role.USER, text)), Sampling.DEFAULTS, List.of(), null,
                new ResponseFormat.JsonSchema("verdict", new RawJson(schema), true), false, false, null, Map.of(),
                "openai");
    }

    @Test
    void aJsonSchemaResponseFormatGetsADocumentOfThatSchema() throws IOException {
        var points = new java.util.HashSet<Integer>();
        for (int i = 0; i < 40; i++) {
            ChatResponse response = engine.answer(structured("Judge answer " + i, Rubrics.VERDICT_SCHEMA), "id", 1);
            String json = text(response);
            JsonNode verdict = JSON.readTree(json);
            assertThat(verdict.properties()).extracting(Map.Entry::getKey).containsExactly("score", "reason");
            assertThat(verdict.path("score").isIntegralNumber()).isTrue();
            assertThat(verdict.path("score").asInt()).isBetween(1, 5);
            assertThat(verdict.path("reason").isTextual()).isTrue();
            assertThat(Judgement.read(json)).isInstanceOf(Judgement.Scored.class);
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(response.usage().outputTokens()).isEqualTo((json.length() + 3) / 4);
            assertThat(engine.answer(structured("Judge answer " + i, Rubrics.VERDICT_SCHEMA), "id", 1))
                    .isEqualTo(response);
            points.add(verdict.path("score").asInt());
        }
        // Drawn from the prompt, not always the minimum: a judge on the mock gives a spread of scores.
        assertThat(points).hasSizeGreaterThan(2);
    }

    @Test
    void integerBoundsAndUndeclaredRequiredPropertiesAreHonoured() throws IOException {
        String schema = """
                {"type":"object",
                 "properties":{"low":{"type":"integer","exclusiveMinimum":2,"exclusiveMaximum":5},
                               "capped":{"type":"integer","maximum":-3},
                               "one":{"type":"integer","minimum":7,"maximum":7}},
                 "required":["low","extra"],
                 "additionalProperties":{"type":"integer","minimum":10,"maximum":12}}""";
        for (int i = 0; i < 20; i++) {
            JsonNode doc = JSON.readTree(text(engine.answer(structured("q" + i, schema), "id", 1)));
            assertThat(doc.path("low").asInt()).isBetween(3, 4);
            assertThat(doc.path("capped").asInt()).isEqualTo(-3);
            assertThat(doc.path("one").asInt()).isEqualTo(7);
            assertThat(doc.path("extra").isIntegralNumber()).isTrue();
            assertThat(doc.path("extra").asInt()).isBetween(10, 12);
            assertThat(doc.size()).isEqualTo(4);
        }
    }

    @Test
    void toolsStillWinOverAResponseFormat() {
        ChatRequest request = structured("Weather?", Rubrics.VERDICT_SCHEMA);
        ChatRequest withTools = new ChatRequest(request.model(), request.messages(), request.sampling(),
                List.of(SEARCH), null, request.responseFormat(), false, false, null, Map.of(), "openai");
        assertThat(engine.answer(withTools, "id", 1).output().getFirst()).isInstanceOf(Part.ToolCall.class);
    }

    @Test
    void unreadableSchemasGiveEmptyArguments() {
        var broken = new Tool("f", null, new RawJson("{\"type\":"));
        ChatResponse response = engine.answer(ask("x", null, List.of(broken), null), "id", 1);
        assertThat(((Part.ToolCall) response.output().getFirst()).arguments()).isEqualTo("{}");
    }

    @Test
    void streamEventsCarryTheTextInChunks() {
        ChatResponse response = engine.answer(ask("Stream this please"), "chatcmpl-9", 5);
        List<StreamEvent> events = engine.streamEvents(response, 8);
        assertThat(events.getFirst()).isEqualTo(new StreamEvent.Start("chatcmpl-9", "mock-model", 5));
        assertThat(events.get(events.size() - 2)).isEqualTo(new StreamEvent.Finish(FinishReason.STOP));
        assertThat(events.getLast()).isEqualTo(new StreamEvent.UsageUpdate(response.usage()));
        List<String> pieces = events.stream().filter(StreamEvent.TextDelta.class::isInstance)
                .map(e -> ((StreamEvent.TextDelta) e).text()).toList();
        assertThat(pieces).hasSize(8);
        assertThat(String.join("", pieces)).isEqualTo(text(response));
        assertThat(pieces.subList(1, pieces.size())).allMatch(p -> p.startsWith(" "));
        assertThat(engine.streamEvents(response, 1000).stream().filter(StreamEvent.TextDelta.class::isInstance))
                .hasSize(MockProfile.DEFAULTS.answerWords());
    }

    @Test
    void streamEventsCarryAToolCallAsIdAndNameThenFragments() {
        ChatResponse response = engine.answer(ask("x", null, List.of(SEARCH), null), "id", 1);
        Part.ToolCall call = (Part.ToolCall) response.output().getFirst();
        List<StreamEvent> events = engine.streamEvents(response, 4);
        assertThat(events.get(1)).isEqualTo(new StreamEvent.ToolCallDelta(0, call.id(), "search", null));
        var arguments = new StringBuilder();
        for (StreamEvent event : events.subList(2, events.size() - 2)) {
            var delta = (StreamEvent.ToolCallDelta) event;
            assertThat(delta.id()).isNull();
            arguments.append(delta.argumentsFragment());
        }
        assertThat(events.subList(2, events.size() - 2)).hasSize(4);
        assertThat(arguments.toString()).isEqualTo(call.arguments());
        assertThat(events.get(events.size() - 2)).isEqualTo(new StreamEvent.Finish(FinishReason.TOOL_CALLS));
    }

    /** What the mock server does: encode the events as OpenAI would; the gateway's adapter must read them back. */
    @Test
    void mockStreamsRoundTripThroughTheOpenAiCodecs() {
        ChatRequest request = ask("Round trip", null, List.of(), null);
        ChatResponse response = engine.answer(request, "chatcmpl-rt", 9);
        StreamEncoder encoder = new OpenAiDialect().streamEncoder(request, response.id());
        var wire = new StringBuilder();
        for (StreamEvent event : engine.streamEvents(response, 3)) {
            wire.append(new String(encoder.encode(event), StandardCharsets.UTF_8));
        }
        wire.append(new String(encoder.end(), StandardCharsets.UTF_8));

        StreamDecoder decoder = new OpenAiAdapter().streamDecoder();
        var decoded = new ArrayList<StreamEvent>();
        for (SseEvent event : ProviderAdapterContract.sseEvents(wire.toString())) {
            decoded.addAll(decoder.onEvent(event));
        }
        decoded.addAll(decoder.onComplete());
        assertThat(decoded).filteredOn(StreamEvent.TextDelta.class::isInstance).hasSize(3);
        assertThat(decoded).last().isEqualTo(new StreamEvent.Finish(FinishReason.STOP));
    }

    @Test
    void chunkIntervalPacesTheStreamAtTheProfilesTokenRate() {
        ChatResponse response = engine.answer(ask("x"), "id", 1);
        assertThat(engine.chunkInterval(response, 8)).isEqualTo(Duration.ZERO);
        var paced = new MockEngine(new MockProfile(Duration.ZERO, 10, 8, 24, 16, 0, 503, 0, 2, 1));
        assertThat(paced.chunkInterval(paced.answer(ask("x"), "id", 1), 8)).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void faultRatesAreHonouredAndRepeatable() {
        var faulty = new MockEngine(new MockProfile(Duration.ZERO, 0, 8, 24, 16, 0.1, 529, 0.05, 3, 99));
        int errors = 0;
        int resets = 0;
        for (long n = 0; n < 10_000; n++) {
            MockFault fault = faulty.fault(n);
            assertThat(faulty.fault(n)).isEqualTo(fault);
            switch (fault) {
                case MockFault.Error e -> {
                    assertThat(e.status()).isEqualTo(529);
                    errors++;
                }
                case MockFault.ResetAfter r -> {
                    assertThat(r.chunks()).isEqualTo(3);
                    resets++;
                }
                case MockFault.None none -> { }
            }
        }
        // Binomial standard deviations are 30 and 22: these bounds are more than four of them.
        assertThat(errors).isBetween(880, 1120);
        assertThat(resets).isBetween(410, 590);
        assertThat(engine.fault(12345)).isEqualTo(new MockFault.None());
    }

    @Test
    void differentSeedsDrawDifferentFaults() {
        var a = new MockEngine(new MockProfile(Duration.ZERO, 0, 8, 24, 16, 0.5, 500, 0, 2, 1));
        var b = new MockEngine(new MockProfile(Duration.ZERO, 0, 8, 24, 16, 0.5, 500, 0, 2, 2));
        int differ = 0;
        for (long n = 0; n < 200; n++) {
            differ += a.fault(n).equals(b.fault(n)) ? 0 : 1;
        }
        assertThat(differ).isBetween(60, 140);
    }

    @Test
    void embeddingsAreUnitLengthDeterministicAndSized() {
        EmbeddingResponse sized = engine.embed(new EmbeddingRequest("e", List.of("alpha", "beta", "alpha"), 64, null, null, Map.of()));
        assertThat(sized.vectors()).hasSize(3).allSatisfy(v -> {
            assertThat(v).hasSize(64);
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
        });
        assertThat(sized.vectors().get(0)).isEqualTo(sized.vectors().get(2));
        assertThat(sized.vectors().get(0)).isNotEqualTo(sized.vectors().get(1));
        assertThat(sized.model()).isEqualTo("e");
        assertThat(sized.usage().inputTokens()).isEqualTo(2 + 1 + 2);
        assertThat(sized.usage().reported()).isTrue();

        EmbeddingResponse defaults = engine.embed(new EmbeddingRequest("e", List.of("alpha"), null, null, null, Map.of()));
        assertThat(defaults.vectors().getFirst()).hasSize(MockProfile.DEFAULTS.embeddingDimensions());
        assertThat(engine.embed(new EmbeddingRequest("e", List.of("alpha"), 64, null, null, Map.of())).vectors().getFirst())
                .isEqualTo(sized.vectors().getFirst());
    }

    @Test
    void streamingNeedsAtLeastOneChunk() {
        assertThatThrownBy(() -> engine.streamEvents(engine.answer(ask("x"), "id", 1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
