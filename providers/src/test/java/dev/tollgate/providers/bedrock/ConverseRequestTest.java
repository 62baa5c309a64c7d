package dev.tollgate.providers.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Converse body: every mapping, drop and refusal rule of {@code docs/providers/bedrock.md}. */
class ConverseRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Tool WEATHER = new Tool("get_weather", null, new RawJson("{\"type\":\"object\"}"));

    private static ChatRequest request(List<Message> messages, Sampling sampling, List<Tool> tools, ToolChoice choice,
                                       ResponseFormat format, Map<String, RawJson> extensions) {
        return new ChatRequest("m", messages, sampling, tools, choice, format, false, false, "user-1", extensions, "openai");
    }

    private static ChatRequest request(List<Message> messages) {
        return request(messages, Sampling.DEFAULTS, List.of(), null, null, Map.of());
    }

    private static JsonNode body(ChatRequest request) {
        try {
            return JSON.readTree(ConverseRequestWriter.write(request));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertRefused(ChatRequest request, String param, String code, String message) {
        assertThatThrownBy(() -> ConverseRequestWriter.write(request))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(e.error().httpStatus()).isEqualTo(400);
                    assertThat(e.error().param()).isEqualTo(param);
                    assertThat(e.error().code()).isEqualTo(code);
                    assertThat(e.error().message()).contains(message);
                });
    }

    private static final Message HI = Message.text(Role.USER, "Hi");

    @Test
    void aPlainRequestIsMessagesOnly() {
        assertThat(body(request(List.of(HI))))
                .isEqualTo(json("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}"));
    }

    @Test
    void systemAndDeveloperTextGoToSystemWhereverTheyStand() {
        JsonNode body = body(request(List.of(Message.text(Role.SYSTEM, "Be terse."), HI,
                Message.text(Role.DEVELOPER, "Answer in French."), Message.text(Role.ASSISTANT, "Salut."))));
        assertThat(body.get("system")).isEqualTo(json("[{\"text\":\"Be terse.\"},{\"text\":\"Answer in French.\"}]"));
        assertThat(body.get("messages")).isEqualTo(json("[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"text\":\"Salut.\"}]}]"));
    }

    @Test
    void aSystemImageIsRefused() {
        var system = new Message(Role.SYSTEM, List.of(new Part.Text("x"), new Part.Image("data:image/png;base64,AA==", null)),
                null);
        assertRefused(request(List.of(system, HI)), "messages[0].content[1]", "invalid_value", "text only");
    }

    @Test
    void consecutiveSameRoleTurnsMergeAndToolResultsLeadTheirTurn() {
        JsonNode body = body(request(List.of(
                HI,
                Message.text(Role.USER, "Are you there?"),
                new Message(Role.ASSISTANT, List.of(new Part.Text(""), new Part.ToolCall("t1", "get_weather", "{\"city\":\"Oslo\"}"),
                        new Part.ToolCall("t2", "get_weather", "")), null),
                Message.text(Role.USER, "Also, hurry."),
                new Message(Role.TOOL, List.of(new Part.ToolResult("t1", "cold")), null),
                new Message(Role.TOOL, List.of(new Part.ToolResult("t2", "colder")), null)),
                Sampling.DEFAULTS, List.of(WEATHER), null, null, Map.of()));
        assertThat(body.get("messages")).isEqualTo(json("""
                [{"role":"user","content":[{"text":"Hi"},{"text":"Are you there?"}]},
                 {"role":"assistant","content":[
                    {"toolUse":{"toolUseId":"t1","name":"get_weather","input":{"city":"Oslo"}}},
                    {"toolUse":{"toolUseId":"t2","name":"get_weather","input":{}}}]},
                 {"role":"user","content":[
                    {"toolResult":{"toolUseId":"t1","content":[{"text":"cold"}]}},
                    {"toolResult":{"toolUseId":"t2","content":[{"text":"colder"}]}},
                    {"text":"Also, hurry."}]}]
                """));
    }

    @Test
    void imagesMustBeInlineInAFormatBedrockTakes() {
        var png = new Message(Role.USER, List.of(new Part.Image("data:image/PNG;base64,iVBORw0KGgo=", "high")), null);
        assertThat(body(request(List.of(png))).at("/messages/0/content/0"))
                .isEqualTo(json("{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"iVBORw0KGgo=\"}}}"));
        var url = new Message(Role.USER, List.of(new Part.Text("look"), new Part.Image("https://example.com/a.png", null)),
                null);
        assertRefused(request(List.of(HI, url)), "messages[1].content[1]", "invalid_value", "cannot fetch images by URL");
        var bmp = new Message(Role.USER, List.of(new Part.Image("data:image/bmp;base64,Qk0=", null)), null);
        assertRefused(request(List.of(bmp)), "messages[0].content[0]", "invalid_value", "PNG, JPEG, GIF and WebP");
        var notBase64 = new Message(Role.USER, List.of(new Part.Image("data:image/png,rawbytes", null)), null);
        assertRefused(request(List.of(notBase64)), "messages[0].content[0]", "invalid_value", "base64");
    }

    @Test
    void toolArgumentsMustBeAJsonObject() {
        var bad = new Message(Role.ASSISTANT, List.of(new Part.ToolCall("t1", "get_weather", "[1,2]")), null);
        assertRefused(request(List.of(HI, bad), Sampling.DEFAULTS, List.of(WEATHER), null, null, Map.of()),
                "messages[1].content[0]", "invalid_value", "JSON object");
    }

    @Test
    void samplingMapsToInferenceConfigAndDropsWhatConverseLacks() {
        var sampling = new Sampling(0.7, 0.95, 100, List.of("\n\n", "END"), 42L, 0.5, 0.25, 1);
        assertThat(body(request(List.of(HI), sampling, List.of(), null, null, Map.of())).get("inferenceConfig"))
                .isEqualTo(json("{\"maxTokens\":100,\"temperature\":0.7,\"topP\":0.95,\"stopSequences\":[\"\\n\\n\",\"END\"]}"));
        var onlyDropped = new Sampling(null, null, null, List.of(), 42L, 0.5, 0.25, null);
        assertThat(body(request(List.of(HI), onlyDropped, List.of(), null, null, Map.of())).has("inferenceConfig")).isFalse();
    }

    @Test
    void moreThanOneChoiceIsRefused() {
        var two = new Sampling(null, null, null, List.of(), null, null, null, 2);
        assertRefused(request(List.of(HI), two, List.of(), null, null, Map.of()), "n", "parameter_not_supported", "one choice");
    }

    @Test
    void jsonModeIsRefusedAndPlainTextAccepted() {
        assertRefused(request(List.of(HI), Sampling.DEFAULTS, List.of(), null, new ResponseFormat.JsonObject(), Map.of()),
                "response_format", "parameter_not_supported", "no JSON mode");
        assertRefused(request(List.of(HI), Sampling.DEFAULTS, List.of(), null,
                        new ResponseFormat.JsonSchema("answer", new RawJson("{}"), true), Map.of()),
                "response_format", "parameter_not_supported", "no JSON mode");
        assertThat(body(request(List.of(HI), Sampling.DEFAULTS, List.of(), null, new ResponseFormat.Text(), Map.of())))
                .isEqualTo(body(request(List.of(HI))));
    }

    @Test
    void toolChoicesMapToConverseChoices() {
        assertThat(toolConfig(new ToolChoice.Auto(), List.of(HI)).get("toolChoice")).isEqualTo(json("{\"auto\":{}}"));
        assertThat(toolConfig(new ToolChoice.Required(), List.of(HI)).get("toolChoice")).isEqualTo(json("{\"any\":{}}"));
        assertThat(toolConfig(new ToolChoice.Named("get_weather"), List.of(HI)).get("toolChoice"))
                .isEqualTo(json("{\"tool\":{\"name\":\"get_weather\"}}"));
        assertThat(toolConfig(null, List.of(HI))).isEqualTo(json("""
                {"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{"type":"object"}}}}]}"""));
    }

    @Test
    void choiceNoneDropsTheToolsUnlessTheConversationHoldsToolBlocks() {
        assertThat(toolConfig(new ToolChoice.None(), List.of(HI))).isNull();
        var history = List.of(HI, new Message(Role.ASSISTANT, List.of(new Part.ToolCall("t1", "get_weather", "{}")), null),
                new Message(Role.TOOL, List.of(new Part.ToolResult("t1", "sunny")), null));
        // Bedrock refuses toolUse/toolResult blocks without a toolConfig: the tools stay, with no choice.
        JsonNode config = toolConfig(new ToolChoice.None(), history);
        assertThat(config.has("tools")).isTrue();
        assertThat(config.has("toolChoice")).isFalse();
        assertThat(body(request(List.of(HI), Sampling.DEFAULTS, List.of(), new ToolChoice.Auto(), null, Map.of()))
                .has("toolConfig")).as("a choice without tools").isFalse();
    }

    private static JsonNode toolConfig(ToolChoice choice, List<Message> messages) {
        return body(request(messages, Sampling.DEFAULTS, List.of(WEATHER), choice, null, Map.of())).get("toolConfig");
    }

    @Test
    void harmlessForeignFieldsAreDroppedAndOthersRefusedByName() {
        var harmless = Map.of("service_tier", new RawJson("\"auto\""), "store", new RawJson("false"),
                "parallel_tool_calls", new RawJson("true"), "metadata", new RawJson("{\"run\":\"7\"}"),
                "prompt_cache_key", new RawJson("\"k\""), "logprobs", new RawJson("false"),
                "top_logprobs", new RawJson(" null "));
        assertThat(body(request(List.of(HI), Sampling.DEFAULTS, List.of(), null, null, harmless)))
                .isEqualTo(body(request(List.of(HI))));
        var refused = Map.of("top_logprobs", new RawJson("2"), "logprobs", new RawJson("true"), "store", new RawJson("true"));
        assertRefused(request(List.of(HI), Sampling.DEFAULTS, List.of(), null, null, refused), "logprobs",
                "parameter_not_supported", "'logprobs' is not supported");
    }

    @Test
    void theEndUserAndParticipantNamesAreDropped() {
        var named = new Message(Role.USER, List.of(new Part.Text("Hi")), "alice");
        assertThat(body(request(List.of(named)))).isEqualTo(body(request(List.of(HI))));
    }
}
