package dev.tollgate.providers.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.GatewayError;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How canonical conversations, tool choices, formats and extensions become a Gemini request body. */
class GeminiRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Tool WEATHER = new Tool("get_weather", null, new RawJson(
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"));

    private final GeminiAdapter adapter = new GeminiAdapter();

    static ChatRequest request(List<Message> messages, List<Tool> tools, ToolChoice choice, ResponseFormat format,
                               Map<String, RawJson> extensions, String dialect) {
        return new ChatRequest("m", messages, Sampling.DEFAULTS, tools, choice, format, false, false, null, extensions, dialect);
    }

    static ChatRequest request(Message... messages) {
        return request(List.of(messages), List.of(), null, null, Map.of(), "openai");
    }

    JsonNode body(ChatRequest request) {
        byte[] body = adapter.prepare(request, GeminiAdapterTest.deployment("https://upstream.test/v1beta", "gemini-2.5-flash")).body();
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    GatewayError refusal(ChatRequest request) {
        try {
            adapter.prepare(request, GeminiAdapterTest.deployment("https://upstream.test/v1beta", "gemini-2.5-flash"));
        } catch (GatewayException e) {
            return e.error();
        }
        throw new AssertionError("expected a refusal");
    }

    static Message message(Role role, Part... parts) {
        return new Message(role, List.of(parts), null);
    }

    @Test
    void theSmallestRequestHasOnlyContents() {
        assertThat(body(request(Message.text(Role.USER, "hi")))).isEqualTo(json(
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"));
    }

    @Test
    void systemAndDeveloperTextGoToTheSystemInstructionWhereverTheyStand() {
        JsonNode body = body(request(Message.text(Role.SYSTEM, "Be terse."), Message.text(Role.USER, "hi"),
                Message.text(Role.DEVELOPER, "Answer in French."), Message.text(Role.SYSTEM, "")));
        assertThat(body.get("systemInstruction")).isEqualTo(json(
                "{\"parts\":[{\"text\":\"Be terse.\"},{\"text\":\"Answer in French.\"}]}"));
        assertThat(body.get("contents")).hasSize(1);
    }

    @Test
    void consecutiveTurnsOfOneRoleShareAContentAndEmptyTextIsDropped() {
        JsonNode body = body(request(Message.text(Role.USER, "one"), Message.text(Role.USER, ""),
                Message.text(Role.USER, "two"), Message.text(Role.ASSISTANT, "three"), Message.text(Role.ASSISTANT, "four")));
        assertThat(body.get("contents")).isEqualTo(json("[{\"role\":\"user\",\"parts\":[{\"text\":\"one\"},{\"text\":\"two\"}]},"
                + "{\"role\":\"model\",\"parts\":[{\"text\":\"three\"},{\"text\":\"four\"}]}]"));
    }

    @Test
    void anthropicStyleResultsInAUserTurnBecomeFunctionResponsesBesideTheText() {
        JsonNode body = body(request(
                Message.text(Role.USER, "Weather in Paris and Rome?"),
                message(Role.ASSISTANT, new Part.Text("Checking."),
                        new Part.ToolCall("toolu_1", "get_weather", "{\"city\":\"Paris\"}"),
                        new Part.ToolCall("toolu_2", "get_weather", "{\"city\":\"Rome\"}")),
                message(Role.USER, new Part.ToolResult("toolu_1", "18 C"), new Part.ToolResult("toolu_2", "[21, \"C\"]"),
                        new Part.Text("And tomorrow?"))));
        assertThat(body.get("contents")).isEqualTo(json("["
                + "{\"role\":\"user\",\"parts\":[{\"text\":\"Weather in Paris and Rome?\"}]},"
                + "{\"role\":\"model\",\"parts\":[{\"text\":\"Checking.\"},"
                + "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},\"thoughtSignature\":\"skip_thought_signature_validator\"},"
                + "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Rome\"}}}]},"
                + "{\"role\":\"user\",\"parts\":["
                + "{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"result\":\"18 C\"}}},"
                + "{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"result\":[21,\"C\"]}}},"
                + "{\"text\":\"And tomorrow?\"}]}]"));
    }

    @Test
    void aResultIsNamedAfterTheLatestEarlierCallWithItsId() {
        // Gemini-made ids restart in every answer when Gemini sends no response id: call_0 then call_0 again.
        JsonNode body = body(request(
                message(Role.ASSISTANT, new Part.ToolCall("call_0", "get_weather", "{}")),
                message(Role.TOOL, new Part.ToolResult("call_0", "{\"temp\":18}")),
                message(Role.ASSISTANT, new Part.ToolCall("call_0", "get_time", "")),
                message(Role.TOOL, new Part.ToolResult("call_0", "12:00"))));
        assertThat(body.at("/contents/1/parts/0/functionResponse/name").asText()).isEqualTo("get_weather");
        assertThat(body.at("/contents/1/parts/0/functionResponse/response")).isEqualTo(json("{\"temp\":18}"));
        assertThat(body.at("/contents/3/parts/0/functionResponse/name").asText()).isEqualTo("get_time");
        assertThat(body.at("/contents/2/parts/0/functionCall/args")).isEqualTo(json("{}"));
        assertThat(body.at("/contents/2/parts/0/thoughtSignature").asText()).isEqualTo(GeminiContents.UNSIGNED);
    }

    @Test
    void aResultAnsweringNoKnownCallFallsBackToTheMessageNameOrIsRefused() {
        JsonNode body = body(request(new Message(Role.TOOL, List.of(new Part.ToolResult("x", "ok")), "lookup")));
        assertThat(body.at("/contents/0/parts/0/functionResponse/name").asText()).isEqualTo("lookup");
        GatewayError error = refusal(request(message(Role.TOOL, new Part.ToolResult("x", "ok"))));
        assertThat(error.httpStatus()).isEqualTo(400);
        assertThat(error.param()).isEqualTo("messages[0]");
        assertThat(error.message()).contains("'x'");
    }

    @Test
    void toolCallArgumentsMustBeAnObject() {
        GatewayError error = refusal(request(message(Role.ASSISTANT, new Part.ToolCall("c", "f", "[1,2]"))));
        assertThat(error.code()).isEqualTo("invalid_value");
        assertThat(error.param()).isEqualTo("messages[0]");
    }

    @Test
    void imagesBecomeInlineOrFileData() {
        JsonNode body = body(request(message(Role.USER,
                new Part.Image("data:image/png;base64,iVBORw0KGgo=", "high"),
                new Part.Image("https://cdn.example.com/a/cat.WEBP?size=large", null),
                new Part.Image("https://generativelanguage.googleapis.com/v1beta/files/abc-123", null))));
        assertThat(body.at("/contents/0/parts")).isEqualTo(json("["
                + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
                + "{\"fileData\":{\"mimeType\":\"image/webp\",\"fileUri\":\"https://cdn.example.com/a/cat.WEBP?size=large\"}},"
                + "{\"fileData\":{\"fileUri\":\"https://generativelanguage.googleapis.com/v1beta/files/abc-123\"}}]"));
    }

    @Test
    void imagesGeminiCannotTypeAreRefused() {
        for (String url : List.of("https://example.com/picture", "https://example.com/a.gif", "https://example.com/x.png/raw",
                "ftp://example.com/a.png", "data:image/png,rawbytes", "data:;base64,AAAA", "data:image/png;base64")) {
            GatewayError error = refusal(request(message(Role.USER, new Part.Image(url, null))));
            assertThat(error.code()).as(url).isEqualTo("invalid_image_url");
            assertThat(error.param()).as(url).isEqualTo("messages[0]");
        }
    }

    @Test
    void toolChoicesMapToFunctionCallingModes() {
        Map<ToolChoice, String> modes = Map.of(
                new ToolChoice.Auto(), "{\"mode\":\"AUTO\"}",
                new ToolChoice.None(), "{\"mode\":\"NONE\"}",
                new ToolChoice.Required(), "{\"mode\":\"ANY\"}",
                new ToolChoice.Named("get_weather"), "{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}");
        modes.forEach((choice, config) -> assertThat(body(request(List.of(Message.text(Role.USER, "hi")), List.of(WEATHER),
                choice, null, Map.of(), "openai")).at("/toolConfig/functionCallingConfig")).as(choice.toString()).isEqualTo(json(config)));
    }

    @Test
    void aToolChoiceWithoutToolsIsLeftOut() {
        JsonNode body = body(request(List.of(Message.text(Role.USER, "hi")), List.of(), new ToolChoice.None(), null, Map.of(), "openai"));
        assertThat(body.has("toolConfig")).isFalse();
        assertThat(body.has("tools")).isFalse();
    }

    @Test
    void aFunctionWithoutArgumentsHasNoParameters() {
        var noArgs = new Tool("now", "The time", new RawJson("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}"));
        JsonNode body = body(request(List.of(Message.text(Role.USER, "hi")), List.of(noArgs), null, null, Map.of(), "openai"));
        assertThat(body.get("tools")).isEqualTo(json(
                "[{\"functionDeclarations\":[{\"name\":\"now\",\"description\":\"The time\"}]}]"));
    }

    @Test
    void responseFormatsSetTheMimeTypeAndSchema() {
        var hi = List.of(Message.text(Role.USER, "hi"));
        assertThat(body(request(hi, List.of(), null, new ResponseFormat.Text(), Map.of(), "openai")).has("generationConfig")).isFalse();
        assertThat(body(request(hi, List.of(), null, new ResponseFormat.JsonObject(), Map.of(), "openai")).get("generationConfig"))
                .isEqualTo(json("{\"responseMimeType\":\"application/json\"}"));
        var schema = new ResponseFormat.JsonSchema("answer", new RawJson(
                "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"],\"additionalProperties\":false}"), true);
        assertThat(body(request(hi, List.of(), null, schema, Map.of(), "openai")).get("generationConfig")).isEqualTo(json(
                "{\"responseMimeType\":\"application/json\",\"responseSchema\":"
                        + "{\"type\":\"OBJECT\",\"properties\":{\"n\":{\"type\":\"INTEGER\"}},\"required\":[\"n\"]}}"));
    }

    private JsonNode withExtensions(Map<String, String> extensions, String dialect) {
        var raw = new HashMap<String, RawJson>();
        extensions.forEach((name, json) -> raw.put(name, new RawJson(json)));
        return body(request(List.of(Message.text(Role.USER, "hi")), List.of(), null, null, raw, dialect));
    }

    @Test
    void harmlessForeignExtensionsAreDropped() {
        JsonNode body = withExtensions(Map.of("service_tier", "\"auto\"", "store", "true", "parallel_tool_calls", "false",
                "metadata", "{\"user_id\":\"u1\"}", "logprobs", "false", "top_logprobs", "null", "reasoning_effort", " null ",
                "disable_parallel_tool_use", "true", "prediction", "{\"type\":\"content\",\"content\":\"x\"}"), "openai");
        assertThat(body).isEqualTo(json("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"));
    }

    @Test
    void extensionsNamingGeminiFieldsAreWrittenThrough() {
        JsonNode body = withExtensions(Map.of("top_k", "40",
                "safetySettings", "[{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_ONLY_HIGH\"}]",
                "cachedContent", "\"cachedContents/abc\"", "thinkingConfig", "{\"thinkingBudget\":1024}"), "anthropic");
        assertThat(body.get("generationConfig")).isEqualTo(json("{\"thinkingConfig\":{\"thinkingBudget\":1024},\"topK\":40}"));
        assertThat(body.get("safetySettings")).isEqualTo(json("[{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_ONLY_HIGH\"}]"));
        assertThat(body.get("cachedContent").asText()).isEqualTo("cachedContents/abc");
    }

    @Test
    void otherForeignExtensionsAreRefusedByName() {
        for (var extension : List.of(Map.entry("reasoning_effort", "\"high\""), Map.entry("logit_bias", "{\"50256\":-100}"),
                Map.entry("logprobs", "true"), Map.entry("top_logprobs", "5"), Map.entry("thinking", "{\"type\":\"enabled\"}"))) {
            GatewayError error = refusal(request(List.of(Message.text(Role.USER, "hi")), List.of(), null, null,
                    Map.of(extension.getKey(), new RawJson(extension.getValue())), "openai"));
            assertThat(error.param()).isEqualTo(extension.getKey());
            assertThat(error.code()).isEqualTo("parameter_not_supported");
            assertThat(error.httpStatus()).isEqualTo(400);
        }
    }

    @Test
    void geminiFieldsOfTheWrongTypeAreRefused() {
        for (var extension : List.of(Map.entry("top_k", "0"), Map.entry("top_k", "2.5"), Map.entry("safetySettings", "{}"),
                Map.entry("cachedContent", "1"), Map.entry("thinkingConfig", "[]"))) {
            GatewayError error = refusal(request(List.of(Message.text(Role.USER, "hi")), List.of(), null, null,
                    Map.of(extension.getKey(), new RawJson(extension.getValue())), "openai"));
            assertThat(error.code()).as(extension.toString()).isEqualTo("invalid_type");
            assertThat(error.param()).isEqualTo(extension.getKey());
        }
    }
}
