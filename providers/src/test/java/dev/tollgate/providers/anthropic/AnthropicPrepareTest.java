package dev.tollgate.providers.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.providers.ClientBodies;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The mapping rules of {@link MessagesRequestWriter}, through the adapter's {@code prepare}. */
class AnthropicPrepareTest {

    private static final Deployment TARGET = AnthropicAdapterTest.deployment(URI.create("https://api.anthropic.test"), null);
    private static final List<Tool> TOOLS = List.of(new Tool("f", null, new RawJson("{\"type\":\"object\"}")));

    private final AnthropicAdapter adapter = new AnthropicAdapter();

    private static ChatRequest request(List<Message> messages, Sampling sampling, List<Tool> tools, ToolChoice choice,
                                       ResponseFormat format, String user, Map<String, RawJson> extensions, String dialect) {
        return new ChatRequest("public", messages, sampling, tools, choice, format, false, false, user, extensions, dialect);
    }

    private static ChatRequest openAi(List<Message> messages) {
        return request(messages, Sampling.DEFAULTS, List.of(), null, null, null, Map.of(), "openai");
    }

    private static ChatRequest openAi(Map<String, RawJson> extensions, List<Tool> tools, ToolChoice choice) {
        return request(List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, tools, choice, null, null, extensions, "openai");
    }

    private JsonNode body(ChatRequest request) {
        return AnthropicDialectTest.tree(adapter.prepare(request, TARGET).body());
    }

    private static JsonNode json(String text) {
        return AnthropicDialectTest.tree(ClientBodies.j(text));
    }

    private GatewayError refusal(ChatRequest request) {
        return catchThrowableOfType(GatewayException.class, () -> adapter.prepare(request, TARGET)).error();
    }

    @Test
    void systemAndDeveloperMessagesBecomeSystemBlocks() {
        JsonNode body = body(openAi(List.of(Message.text(Role.SYSTEM, "Be terse."), Message.text(Role.USER, "hi"),
                Message.text(Role.DEVELOPER, "Use French."), Message.text(Role.SYSTEM, ""))));
        assertThat(body.get("system")).isEqualTo(json("[{'type':'text','text':'Be terse.'},{'type':'text','text':'Use French.'}]"));
        assertThat(body.get("messages")).isEqualTo(json("[{'role':'user','content':[{'type':'text','text':'hi'}]}]"));
    }

    @Test
    void turnsAlternateWithToolResultsFirstAndEmptyTextGone() {
        JsonNode body = body(openAi(List.of(
                Message.text(Role.USER, "weather and time?"),
                new Message(Role.ASSISTANT, List.of(new Part.Text(""), new Part.ToolCall("c1", "w", "{\"city\":\"Paris\"}"),
                        new Part.ToolCall("c2", "t", "")), "bot"),
                new Message(Role.TOOL, List.of(new Part.ToolResult("c1", "18 C")), null),
                new Message(Role.TOOL, List.of(new Part.ToolResult("c2", "")), null),
                Message.text(Role.USER, "thanks"),
                Message.text(Role.USER, "and tomorrow?"),
                Message.text(Role.ASSISTANT, ""))));
        assertThat(body.get("messages")).isEqualTo(json("["
                + "{'role':'user','content':[{'type':'text','text':'weather and time?'}]},"
                + "{'role':'assistant','content':[{'type':'tool_use','id':'c1','name':'w','input':{'city':'Paris'}},"
                + "{'type':'tool_use','id':'c2','name':'t','input':{}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'c1','content':'18 C'},"
                + "{'type':'tool_result','tool_use_id':'c2'},{'type':'text','text':'thanks'},{'type':'text','text':'and tomorrow?'}]}]"));
    }

    @Test
    void toolResultsLeadTheirTurnWhateverTheOrder() {
        JsonNode body = body(openAi(List.of(
                new Message(Role.USER, List.of(new Part.Text("here:"), new Part.ToolResult("c1", "r")), null))));
        assertThat(body.path("messages").path(0).path("content").path(0).path("type").asText()).isEqualTo("tool_result");
    }

    @Test
    void imagesBecomeBase64OrUrlSources() {
        JsonNode body = body(openAi(List.of(new Message(Role.USER, List.of(
                new Part.Image("data:image/png;base64,iVBORw0KGgo=", "high"),
                new Part.Image("data:image/webp;name=x.webp;base64,UklGR", null),
                new Part.Image("HTTPS://example.com/a.jpg", "low")), null))));
        assertThat(body.path("messages").path(0).path("content")).isEqualTo(json("["
                + "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBORw0KGgo='}},"
                + "{'type':'image','source':{'type':'base64','media_type':'image/webp','data':'UklGR'}},"
                + "{'type':'image','source':{'type':'url','url':'HTTPS://example.com/a.jpg'}}]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"data:image/svg+xml,%3Csvg%3E", "data:;base64,AAAA", "ftp://example.com/a.png", "file:///etc/passwd", "data:"})
    void otherImageUrlsAreRefusedNamingTheClientsField(String url) {
        GatewayError error = refusal(openAi(List.of(Message.text(Role.USER, "a"),
                new Message(Role.USER, List.of(new Part.Text("look"), new Part.Image(url, null)), null))));
        assertThat(error.param()).isEqualTo("messages[1].content[1].image_url.url");
        assertThat(error.code()).isEqualTo("invalid_value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"city\": \"Par", "[1,2]", "\"text\"", "{} {}", "nul"})
    void toolArgumentsMustBeOneJsonObject(String arguments) {
        GatewayError error = refusal(openAi(List.of(Message.text(Role.USER, "a"), new Message(Role.ASSISTANT, List.of(
                new Part.ToolCall("c0", "f", "{}"), new Part.ToolCall("c1", "f", arguments)), null))));
        assertThat(error.param()).isEqualTo("messages[1].tool_calls[1].function.arguments");
        assertThat(error.httpStatus()).isEqualTo(400);
    }

    @Test
    void everyToolChoiceMaps() {
        assertThat(body(openAi(Map.of(), TOOLS, new ToolChoice.Auto())).get("tool_choice")).isEqualTo(json("{'type':'auto'}"));
        assertThat(body(openAi(Map.of(), TOOLS, new ToolChoice.None())).get("tool_choice")).isEqualTo(json("{'type':'none'}"));
        assertThat(body(openAi(Map.of(), TOOLS, new ToolChoice.Required())).get("tool_choice")).isEqualTo(json("{'type':'any'}"));
        assertThat(body(openAi(Map.of(), TOOLS, new ToolChoice.Named("f"))).get("tool_choice"))
                .isEqualTo(json("{'type':'tool','name':'f'}"));
        assertThat(body(openAi(Map.of(), TOOLS, null)).has("tool_choice")).isFalse();
    }

    @Test
    void parallelToolCallsFalseDisablesParallelToolUse() {
        Map<String, RawJson> off = Map.of("parallel_tool_calls", new RawJson("false"));
        assertThat(body(openAi(off, TOOLS, new ToolChoice.Required())).get("tool_choice"))
                .isEqualTo(json("{'type':'any','disable_parallel_tool_use':true}"));
        assertThat(body(openAi(off, TOOLS, null)).get("tool_choice"))
                .isEqualTo(json("{'type':'auto','disable_parallel_tool_use':true}"));
        assertThat(body(openAi(off, TOOLS, new ToolChoice.None())).get("tool_choice")).isEqualTo(json("{'type':'none'}"));
        assertThat(body(openAi(off, List.of(), null)).has("tool_choice")).isFalse();
        assertThat(body(openAi(Map.of("parallel_tool_calls", new RawJson("true")), TOOLS, null)).has("tool_choice")).isFalse();
        JsonNode body = body(openAi(off, TOOLS, null));
        assertThat(body.has("parallel_tool_calls")).isFalse();
    }

    @Test
    void harmlessForeignExtensionsAreDroppedAndNullsIgnored() {
        JsonNode body = body(openAi(Map.of(
                "service_tier", new RawJson("\"default\""),
                "store", new RawJson("true"),
                "metadata", new RawJson("{\"team\":\"a\"}"),
                "prediction", new RawJson("{\"type\":\"content\",\"content\":\"x\"}"),
                "prompt_cache_key", new RawJson("\"k\""),
                "logprobs", new RawJson("false"),
                "logit_bias", new RawJson(" null ")), List.of(), null));
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("model", "max_tokens", "messages");
    }

    @ParameterizedTest
    @ValueSource(strings = {"logit_bias", "reasoning_effort", "top_logprobs", "modalities", "audio", "web_search_options", "verbosity"})
    void otherForeignExtensionsAreRefusedByName(String name) {
        GatewayError error = refusal(openAi(Map.of(name, new RawJson("1")), List.of(), null));
        assertThat(error.param()).isEqualTo(name);
        assertThat(error.code()).isEqualTo("parameter_not_supported");
        assertThat(error.message()).contains(name);
    }

    @Test
    void foreignExtensionsWithBadValuesAreRefused() {
        assertThat(refusal(openAi(Map.of("logprobs", new RawJson("true")), List.of(), null)).code()).isEqualTo("parameter_not_supported");
        assertThat(refusal(openAi(Map.of("parallel_tool_calls", new RawJson("\"no\"")), TOOLS, null)).code()).isEqualTo("invalid_type");
        assertThat(refusal(openAi(Map.of("safety_identifier", new RawJson("7")), List.of(), null)).code()).isEqualTo("invalid_type");
    }

    @Test
    void theUserOrTheSafetyIdentifierBecomesMetadataUserId() {
        ChatRequest withUser = request(List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, List.of(), null, null, "u-1",
                Map.of("safety_identifier", new RawJson("\"s-1\"")), "openai");
        assertThat(body(withUser).get("metadata")).isEqualTo(json("{'user_id':'u-1'}"));
        assertThat(body(openAi(Map.of("safety_identifier", new RawJson("\"s-1\"")), List.of(), null)).get("metadata"))
                .isEqualTo(json("{'user_id':'s-1'}"));
    }

    @Test
    void nAboveOneIsRefusedAndOneIsFine() {
        Sampling two = new Sampling(null, null, null, List.of(), null, null, null, 2);
        GatewayError error = refusal(request(List.of(Message.text(Role.USER, "hi")), two, List.of(), null, null, null, Map.of(), "openai"));
        assertThat(error.param()).isEqualTo("n");
        assertThat(error.code()).isEqualTo("unsupported_value");
        Sampling one = new Sampling(null, null, null, List.of(), null, null, null, 1);
        assertThat(body(request(List.of(Message.text(Role.USER, "hi")), one, List.of(), null, null, null, Map.of(), "openai")).has("n")).isFalse();
    }

    @Test
    void jsonResponseFormatsAreRefusedAndTextIsFine() {
        for (ResponseFormat format : List.of(new ResponseFormat.JsonObject(),
                new ResponseFormat.JsonSchema("s", new RawJson("{}"), true))) {
            GatewayError error = refusal(request(List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, List.of(), null, format,
                    null, Map.of(), "openai"));
            assertThat(error.param()).isEqualTo("response_format");
            assertThat(error.code()).isEqualTo("unsupported_value");
        }
        assertThat(body(request(List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, List.of(), null,
                new ResponseFormat.Text(), null, Map.of(), "openai")).has("response_format")).isFalse();
    }

    @Test
    void maxTokensDefaultsAndSeedAndPenaltiesAreDropped() {
        JsonNode body = body(request(List.of(Message.text(Role.USER, "hi")),
                new Sampling(0.5, null, null, List.of(), 42L, 0.5, 0.5, null), List.of(), null, null, null, Map.of(), "openai"));
        assertThat(body.path("max_tokens").asInt()).isEqualTo(MessagesRequestWriter.DEFAULT_MAX_TOKENS).isEqualTo(4096);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.has("seed")).isFalse();
        assertThat(body.has("presence_penalty")).isFalse();
        assertThat(body.has("frequency_penalty")).isFalse();
    }

    @Test
    void ownExtensionsGoThroughAndOwnMetadataWins() {
        var extensions = Map.of(
                "top_k", new RawJson("40"),
                "thinking", new RawJson("{\"type\":\"enabled\",\"budget_tokens\":1024}"),
                "metadata", new RawJson("{\"user_id\":\"u\",\"tenant\":\"acme\"}"),
                "disable_parallel_tool_use", new RawJson("true"),
                "logit_bias", new RawJson("{}"));
        JsonNode body = body(request(List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, TOOLS, null, null, "u", extensions,
                "anthropic"));
        assertThat(body.get("top_k").asInt()).isEqualTo(40);
        assertThat(body.get("thinking")).isEqualTo(json("{'type':'enabled','budget_tokens':1024}"));
        assertThat(body.get("metadata")).isEqualTo(json("{'user_id':'u','tenant':'acme'}"));
        assertThat(body.get("tool_choice")).isEqualTo(json("{'type':'auto','disable_parallel_tool_use':true}"));
        assertThat(body.has("disable_parallel_tool_use")).isFalse();
        // An own-dialect name the table would refuse is Anthropic's to judge: it goes through.
        assertThat(body.has("logit_bias")).isTrue();
    }

    @Test
    void anExtensionNeverRepeatsAFieldTheWriterSets() {
        ChatRequest request = request(List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, List.of(), null, null, null,
                Map.of("model", new RawJson("\"other\""), "stream", new RawJson("true")), "anthropic");
        String body = new String(adapter.prepare(request, TARGET).body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body).containsOnlyOnce("\"model\"").doesNotContain("stream");
    }

    @Test
    void preparedBodiesAreStableAcrossCalls() {
        ChatRequest request = new AnthropicDialect().decodeChat(AnthropicDialectTest.fixture("client-request.json"));
        assertThat(adapter.prepare(request, TARGET).body()).isEqualTo(adapter.prepare(request, TARGET).body());
    }
}
