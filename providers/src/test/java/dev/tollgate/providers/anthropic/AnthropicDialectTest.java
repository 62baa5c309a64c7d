package dev.tollgate.providers.anthropic;

import static dev.tollgate.providers.ClientBodies.j;
import static dev.tollgate.providers.ClientBodies.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.ListedModel;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.providers.ClientBodies;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class AnthropicDialectTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AnthropicDialect dialect = new AnthropicDialect();
    private final AnthropicAdapter adapter = new AnthropicAdapter(Clock.fixed(AnthropicAdapterTest.NOW, ZoneOffset.UTC));

    static byte[] fixture(String name) {
        try (InputStream in = AnthropicDialectTest.class.getResourceAsStream("/fixtures/anthropic/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String OK = "'max_tokens':64,'messages':[{'role':'user','content':'hi'}]";

    private ChatRequest decode(String json) {
        return dialect.decodeChat(j(json));
    }

    @Test
    void decodeReadsEveryField() {
        ChatRequest request = dialect.decodeChat(fixture("client-request.json"));
        assertThat(request.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(request.dialect()).isEqualTo("anthropic");
        assertThat(request.messages()).extracting(Message::role).containsExactly(Role.SYSTEM, Role.SYSTEM, Role.USER,
                Role.ASSISTANT, Role.TOOL, Role.USER, Role.ASSISTANT, Role.USER);
        assertThat(request.messages().get(0).text()).isEqualTo("You are a weather bot.");
        assertThat(request.messages().get(1).text()).isEqualTo("Answer in French.");
        assertThat(request.messages().get(2).parts()).containsExactly(
                new Part.Text("Quel temps fait-il à Paris ? été 😀"),
                new Part.Image("data:image/png;base64,iVBORw0KGgo=", null),
                new Part.Image("https://example.com/paris.jpg", null));
        // The thinking block is gone; the tool input is the client's own text, whitespace included.
        assertThat(request.messages().get(3).parts()).containsExactly(
                new Part.Text("Je regarde."),
                new Part.ToolCall("toolu_01A", "get_weather", "{\"city\": \"Paris\",  \"unit\": \"celsius\"}"),
                new Part.ToolCall("toolu_01B", "get_time", "{}"));
        assertThat(request.messages().get(4).parts()).containsExactly(
                new Part.ToolResult("toolu_01A", "21 °C\nsunny"),
                new Part.ToolResult("toolu_01B", "Error: service down"));
        assertThat(request.messages().get(5).parts()).containsExactly(new Part.Text("Merci !"));
        assertThat(request.lastUserText()).isEqualTo("Et demain ?");
        assertThat(request.sampling().maxTokens()).isEqualTo(1024);
        assertThat(request.sampling().temperature()).isEqualTo(1.0);
        assertThat(request.sampling().topP()).isEqualTo(0.95);
        assertThat(request.sampling().stop()).containsExactly("FIN");
        assertThat(request.stream()).isTrue();
        assertThat(request.includeUsage()).isTrue();
        assertThat(request.user()).isEqualTo("end-user-7");
        assertThat(request.tools()).containsExactly(
                new Tool("get_weather", "Current weather",
                        new RawJson("{\"type\": \"object\",  \"properties\": {\"city\": {\"type\": \"string\"}}}")),
                new Tool("get_time", null, new RawJson("{\"type\": \"object\"}")));
        assertThat(request.toolChoice()).isEqualTo(new ToolChoice.Auto());
        assertThat(request.responseFormat()).isNull();
        assertThat(request.extensions()).containsOnly(
                Map.entry("disable_parallel_tool_use", new RawJson("true")),
                Map.entry("thinking", new RawJson("{\"type\": \"enabled\",  \"budget_tokens\": 2048}")),
                Map.entry("service_tier", new RawJson("\"auto\"")));
    }

    @Test
    void decodeThenPrepareGivesTheGoldenUpstreamBody() throws IOException {
        ChatRequest request = dialect.decodeChat(fixture("client-request.json"));
        byte[] body = adapter.prepare(request, AnthropicAdapterTest.deployment(URI.create("https://api.anthropic.test"), null)).body();
        assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree(fixture("client-request.upstream.json")));
    }

    @Test
    void topKAndUnknownFieldsTravelAsExtensions() {
        ChatRequest request = decode("{'model':'m'," + OK + ",'top_k':40,'container':{'id':'c'},'mcp_servers':[]}");
        assertThat(request.extensions()).containsOnly(Map.entry("top_k", new RawJson("40")),
                Map.entry("container", new RawJson("{\"id\":\"c\"}")), Map.entry("mcp_servers", new RawJson("[]")));
    }

    @Test
    void metadataWithMoreThanTheUserIsKeptWhole() {
        ChatRequest plain = decode("{'model':'m'," + OK + ",'metadata':{'user_id':'u1'}}");
        assertThat(plain.user()).isEqualTo("u1");
        assertThat(plain.extensions()).isEmpty();
        ChatRequest more = decode("{'model':'m'," + OK + ",'metadata':{'user_id':'u2', 'tenant':'acme'}}");
        assertThat(more.user()).isEqualTo("u2");
        assertThat(more.extensions()).containsOnly(Map.entry("metadata", new RawJson("{\"user_id\":\"u2\", \"tenant\":\"acme\"}")));
    }

    @Test
    void everyToolChoiceDecodes() {
        assertThat(decode("{'model':'m'," + OK + ",'tool_choice':{'type':'any'}}").toolChoice()).isEqualTo(new ToolChoice.Required());
        assertThat(decode("{'model':'m'," + OK + ",'tool_choice':{'type':'none'}}").toolChoice()).isEqualTo(new ToolChoice.None());
        ChatRequest named = decode("{'model':'m'," + OK + ",'tool_choice':{'name':'f','type':'tool','disable_parallel_tool_use':false}}");
        assertThat(named.toolChoice()).isEqualTo(new ToolChoice.Named("f"));
        assertThat(named.extensions()).isEmpty();
    }

    @Test
    void toolResultImagesFollowTheResultsInTheUserTurn() {
        ChatRequest request = decode("{'model':'m','max_tokens':9,'messages':[{'role':'user','content':'look'},"
                + "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'screenshot','input':{}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','content':["
                + "{'type':'text','text':'Here it is.'},{'type':'image','source':{'type':'base64','media_type':'image/jpeg','data':'/9j/'}}]}]}]}");
        assertThat(request.messages()).hasSize(4);
        assertThat(request.messages().get(2)).isEqualTo(new Message(Role.TOOL, List.of(new Part.ToolResult("t1", "Here it is.")), null));
        assertThat(request.messages().get(3)).isEqualTo(new Message(Role.USER,
                List.of(new Part.Image("data:image/jpeg;base64,/9j/", null)), null));
    }

    @Test
    void aToolResultWithoutContentIsEmpty() {
        ChatRequest request = decode("{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'tool_result','tool_use_id':'t'}]}]}");
        assertThat(request.messages()).containsExactly(new Message(Role.TOOL, List.of(new Part.ToolResult("t", "")), null));
    }

    @Test
    void nullsMeanNotSet() {
        ChatRequest request = decode("{'model':'m'," + OK + ",'system':null,'temperature':null,'top_p':null,"
                + "'stop_sequences':null,'stream':null,'tools':null,'tool_choice':null,'metadata':null}");
        assertThat(request.messages()).hasSize(1);
        assertThat(request.sampling().temperature()).isNull();
        assertThat(request.sampling().stop()).isEmpty();
        assertThat(request.stream()).isFalse();
        assertThat(request.tools()).isEmpty();
        assertThat(request.toolChoice()).isNull();
        assertThat(request.user()).isNull();
        assertThat(request.extensions()).isEmpty();
    }

    @Test
    void aSystemStringIsOneSystemMessageAndAnEmptyOneIsNone() {
        assertThat(decode("{'model':'m'," + OK + ",'system':'Be brief.'}").messages().getFirst())
                .isEqualTo(Message.text(Role.SYSTEM, "Be brief."));
        assertThat(decode("{'model':'m'," + OK + ",'system':''}").messages()).hasSize(1);
    }

    @Test
    void countTokensBodiesNeedNoMaxTokens() {
        byte[] body = j("{'model':'m','messages':[{'role':'user','content':'hi'}],'system':'s'}");
        assertThat(dialect.decodeCountTokens(body).sampling().maxTokens()).isNull();
        assertThat(rejection(() -> dialect.decodeChat(body)).param()).isEqualTo("max_tokens");
    }

    static Stream<Arguments> invalidRequests() {
        String msgs = "'messages':[{'role':'user','content':'hi'}]";
        String ok = "'model':'m','max_tokens':64," + msgs;
        return Stream.of(
                Arguments.of("truncated JSON", "{'model':", null, "invalid_json"),
                Arguments.of("not JSON", "not json", null, "invalid_json"),
                Arguments.of("empty body", "", null, "invalid_json"),
                Arguments.of("array body", "[]", null, "invalid_type"),
                Arguments.of("trailing value", "{" + ok + "} {}", null, "invalid_json"),
                Arguments.of("missing model", "{'max_tokens':64," + msgs + "}", "model", "missing_required_parameter"),
                Arguments.of("numeric model", "{'model':5,'max_tokens':64," + msgs + "}", "model", "invalid_type"),
                Arguments.of("duplicate model", "{'model':'a'," + ok + "}", "model", "duplicate_key"),
                Arguments.of("missing messages", "{'model':'m','max_tokens':64}", "messages", "missing_required_parameter"),
                Arguments.of("empty messages", "{'model':'m','max_tokens':64,'messages':[]}", "messages", "empty_array"),
                Arguments.of("object messages", "{'model':'m','max_tokens':64,'messages':{}}", "messages", "invalid_type"),
                Arguments.of("message not an object", "{'model':'m','max_tokens':64,'messages':[{'role':'user','content':'a'},'b']}",
                        "messages.1", "invalid_type"),
                Arguments.of("missing max_tokens", "{'model':'m'," + msgs + "}", "max_tokens", "missing_required_parameter"),
                Arguments.of("zero max_tokens", "{'model':'m','max_tokens':0," + msgs + "}", "max_tokens", "invalid_value"),
                Arguments.of("string max_tokens", "{'model':'m','max_tokens':'5'," + msgs + "}", "max_tokens", "invalid_type"),
                Arguments.of("huge max_tokens", "{'model':'m','max_tokens':99999999999," + msgs + "}", "max_tokens", "invalid_value"),
                Arguments.of("system role", "{'model':'m','max_tokens':9,'messages':[{'role':'system','content':'a'}]}",
                        "messages.0.role", "invalid_value"),
                Arguments.of("missing role", "{'model':'m','max_tokens':9,'messages':[{'content':'a'}]}",
                        "messages.0.role", "missing_required_parameter"),
                Arguments.of("missing content", "{'model':'m','max_tokens':9,'messages':[{'role':'user'}]}",
                        "messages.0.content", "missing_required_parameter"),
                Arguments.of("numeric content", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':4}]}",
                        "messages.0.content", "invalid_type"),
                Arguments.of("block without type", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'text':'a'}]}]}",
                        "messages.0.content.0.type", "missing_required_parameter"),
                Arguments.of("text block without text", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'text'}]}]}",
                        "messages.0.content.0.text", "missing_required_parameter"),
                Arguments.of("document block", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'text','text':'a'},"
                        + "{'type':'document','source':{'type':'base64','media_type':'application/pdf','data':'JVBE'}}]}]}",
                        "messages.0.content.1.type", "unsupported_value"),
                Arguments.of("image without source", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'image'}]}]}",
                        "messages.0.content.0.source", "missing_required_parameter"),
                Arguments.of("file image source", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'image',"
                        + "'source':{'type':'file','file_id':'file_1'}}]}]}", "messages.0.content.0.source.type", "unsupported_value"),
                Arguments.of("base64 image without data", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'image',"
                        + "'source':{'type':'base64','media_type':'image/png'}}]}]}", "messages.0.content.0.source.data", "missing_required_parameter"),
                Arguments.of("tool_use in a user turn", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'tool_use',"
                        + "'id':'t','name':'f','input':{}}]}]}", "messages.0.content.0.type", "invalid_value"),
                Arguments.of("tool_result in an assistant turn", "{'model':'m','max_tokens':9,'messages':[{'content':[{'type':'tool_result',"
                        + "'tool_use_id':'t'}],'role':'assistant'}]}", "messages.0.content.0.type", "invalid_value"),
                Arguments.of("tool_use without input", "{'model':'m','max_tokens':9,'messages':[{'role':'assistant','content':[{'type':'tool_use',"
                        + "'id':'t','name':'f'}]}]}", "messages.0.content.0.input", "missing_required_parameter"),
                Arguments.of("tool_use with array input", "{'model':'m','max_tokens':9,'messages':[{'role':'assistant','content':[{'type':'tool_use',"
                        + "'id':'t','name':'f','input':[]}]}]}", "messages.0.content.0.input", "invalid_type"),
                Arguments.of("tool_result without id", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'tool_result'}]}]}",
                        "messages.0.content.0.tool_use_id", "missing_required_parameter"),
                Arguments.of("tool_result with numeric content", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'tool_result',"
                        + "'tool_use_id':'t','content':7}]}]}", "messages.0.content.0.content", "invalid_type"),
                Arguments.of("tool_result with a document", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'tool_result',"
                        + "'tool_use_id':'t','content':[{'type':'text','text':'a'},{'type':'document'}]}]}]}",
                        "messages.0.content.0.content.1.type", "unsupported_value"),
                Arguments.of("string is_error", "{'model':'m','max_tokens':9,'messages':[{'role':'user','content':[{'type':'tool_result',"
                        + "'tool_use_id':'t','is_error':'yes'}]}]}", "messages.0.content.0.is_error", "invalid_type"),
                Arguments.of("numeric system", "{" + ok + ",'system':3}", "system", "invalid_type"),
                Arguments.of("image system block", "{" + ok + ",'system':[{'type':'image'}]}", "system.0.type", "invalid_value"),
                Arguments.of("string temperature", "{" + ok + ",'temperature':'hot'}", "temperature", "invalid_type"),
                Arguments.of("infinite top_p", "{" + ok + ",'top_p':1e999}", "top_p", "invalid_value"),
                Arguments.of("string stop_sequences", "{" + ok + ",'stop_sequences':'x'}", "stop_sequences", "invalid_type"),
                Arguments.of("numeric stop sequence", "{" + ok + ",'stop_sequences':['a',1]}", "stop_sequences.1", "invalid_type"),
                Arguments.of("string stream", "{" + ok + ",'stream':'yes'}", "stream", "invalid_type"),
                Arguments.of("object tools", "{" + ok + ",'tools':{}}", "tools", "invalid_type"),
                Arguments.of("nameless tool", "{" + ok + ",'tools':[{'input_schema':{}}]}", "tools.0.name", "missing_required_parameter"),
                Arguments.of("schemaless tool", "{" + ok + ",'tools':[{'name':'f'}]}", "tools.0.input_schema", "missing_required_parameter"),
                Arguments.of("server tool", "{" + ok + ",'tools':[{'type':'web_search_20250305','name':'web_search'}]}",
                        "tools.0.type", "unsupported_value"),
                Arguments.of("string tool_choice", "{" + ok + ",'tool_choice':'auto'}", "tool_choice", "invalid_type"),
                Arguments.of("typeless tool_choice", "{" + ok + ",'tool_choice':{}}", "tool_choice.type", "missing_required_parameter"),
                Arguments.of("unknown tool_choice", "{" + ok + ",'tool_choice':{'type':'required'}}", "tool_choice.type", "invalid_value"),
                Arguments.of("nameless named tool_choice", "{" + ok + ",'tool_choice':{'type':'tool'}}", "tool_choice.name", "missing_required_parameter"),
                Arguments.of("string metadata", "{" + ok + ",'metadata':'u'}", "metadata", "invalid_type"),
                Arguments.of("numeric user_id", "{" + ok + ",'metadata':{'user_id':5}}", "metadata.user_id", "invalid_type"),
                Arguments.of("duplicate unknown field", "{" + ok + ",'top_k':1,'top_k':2}", "top_k", "duplicate_key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void invalidRequestsGetA400NamingTheField(String name, String body, String param, String code) {
        GatewayError error = rejection(() -> dialect.decodeChat(j(body)));
        assertThat(error.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(error.httpStatus()).isEqualTo(400);
        assertThat(error.param()).as("param").isEqualTo(param);
        assertThat(error.code()).as("code").isEqualTo(code);
        assertThat(error.message()).isNotBlank();
        if (param != null) {
            // Anthropic's wording: the dotted path first.
            assertThat(error.message()).startsWith(param + ": ");
        }
    }

    @Test
    void sixtyFourLevelsAreAllowedAndSixtyFiveAreNot() {
        String head = "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x\":";
        byte[] deepest = (head + "[".repeat(63) + "]".repeat(63) + "}").getBytes(StandardCharsets.US_ASCII);
        assertThat(dialect.decodeChat(deepest).extensions()).containsKey("x");
        byte[] tooDeep = (head + "[".repeat(64) + "]".repeat(64) + "}").getBytes(StandardCharsets.US_ASCII);
        assertThat(rejection(() -> dialect.decodeChat(tooDeep)).code()).isEqualTo("json_depth_exceeded");
        byte[] bomb = "{\"a\":".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        assertThat(rejection(() -> dialect.decodeChat(bomb)).code()).isEqualTo("json_depth_exceeded");
    }

    /** A valid chat body but for its {@code count} messages. */
    static byte[] manyMessages(int count) {
        return ClientBodies.withMessages("\"model\":\"m\",\"max_tokens\":9,", count);
    }

    @Test
    void tenThousandMessagesAreFineAndAMillionAreRefused() {
        assertThat(dialect.decodeChat(manyMessages(10_000)).messages()).hasSize(10_000);
        GatewayError error = rejection(() -> dialect.decodeChat(manyMessages(1_000_000)));
        assertThat(error.param()).isEqualTo("messages");
        assertThat(error.code()).isEqualTo("too_many_messages");
    }

    @Test
    void onlyUtf8IsAccepted() {
        byte[] utf16 = "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(StandardCharsets.UTF_16LE);
        assertThat(rejection(() -> dialect.decodeChat(utf16)).code()).isEqualTo("invalid_json");
    }

    // ---- encoding -------------------------------------------------------------------------------------------------

    private static final ChatResponse RESPONSE = new ChatResponse("msg_tg_01", "gpt-4o-2024-08-06", 1741570000,
            List.of(new Part.Text("Checking."), new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")),
            FinishReason.TOOL_CALLS, new Usage(120, 30, 64, 10, 8, true));

    @Test
    void encodeChatWritesAMessage() throws IOException {
        assertThat(JSON.readTree(dialect.encodeChat(RESPONSE))).isEqualTo(JSON.readTree(fixture("response.expected.json")));
    }

    @Test
    void anEncodedMessageParsesBackToTheSameResponse() {
        var response = new ChatResponse("msg_tg_02", "claude-x", AnthropicAdapterTest.NOW.getEpochSecond(), RESPONSE.output(),
                FinishReason.TOOL_CALLS, RESPONSE.usage());
        ChatResponse parsed = adapter.parse(new UpstreamReply(200, Map.of(), dialect.encodeChat(response)));
        assertThat(parsed).isEqualTo(response);
        for (FinishReason reason : FinishReason.values()) {
            var withReason = new ChatResponse("i", "m", 0, List.of(), reason, Usage.reported(1, 2));
            assertThat(adapter.parse(new UpstreamReply(200, Map.of(), dialect.encodeChat(withReason))).finishReason()).isEqualTo(reason);
        }
    }

    @Test
    void argumentsThatAreNoObjectAreWrappedAndBlankOnesAreEmpty() {
        var response = new ChatResponse("m", "x", 0, List.of(
                new Part.ToolCall("c1", "f", "{\"city\": \"Par"),
                new Part.ToolCall("c2", "g", ""),
                new Part.ToolCall("c3", "h", "[1]")), FinishReason.LENGTH, Usage.UNKNOWN);
        JsonNode content = tree(dialect.encodeChat(response)).path("content");
        assertThat(content.path(0).path("input")).isEqualTo(tree(j("{'_raw':'{\\'city\\': \\'Par'}")));
        assertThat(content.path(1).path("input")).isEqualTo(tree(j("{}")));
        assertThat(content.path(2).path("input").path("_raw").asText()).isEqualTo("[1]");
        assertThat(tree(dialect.encodeChat(response)).path("stop_reason").asText()).isEqualTo("max_tokens");
    }

    @Test
    void encodeChatNeverWritesANegativeInputCount() {
        var response = new ChatResponse("m", "x", 0, List.of(new Part.Text("a")), FinishReason.STOP, new Usage(5, 1, 9, 3, 0, true));
        JsonNode usage = tree(dialect.encodeChat(response)).path("usage");
        assertThat(usage.path("input_tokens").asLong()).isZero();
        assertThat(usage.path("cache_read_input_tokens").asLong()).isEqualTo(9);
    }

    @Test
    void encodeErrorWritesAnthropicsShapeWithTheRequestId() {
        byte[] body = dialect.encodeError(GatewayError.invalid("messages.3.role", "invalid_value",
                "messages.3.role: Input should be 'user' or 'assistant'"), "req-1");
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
                "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                        + "\"message\":\"messages.3.role: Input should be 'user' or 'assistant'\"},\"request_id\":\"req-1\"}");
    }

    @Test
    void encodeStreamErrorIsAnErrorEvent() {
        byte[] frame = dialect.encodeStreamError(GatewayError.of(ErrorKind.PROVIDER_OVERLOADED, "Overloaded"), "req-2");
        assertThat(new String(frame, StandardCharsets.UTF_8)).isEqualTo("event: error\ndata: {\"type\":\"error\","
                + "\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"request_id\":\"req-2\"}\n\n");
    }

    @Test
    void errorTypesSayWhatAnthropicWouldSay() {
        assertThat(ErrorTypes.type(ErrorKind.MODEL_NOT_FOUND)).isEqualTo("not_found_error");
        assertThat(ErrorTypes.type(ErrorKind.RATE_LIMITED)).isEqualTo("rate_limit_error");
        assertThat(ErrorTypes.type(ErrorKind.PROVIDER_RATE_LIMITED)).isEqualTo("rate_limit_error");
        assertThat(ErrorTypes.type(ErrorKind.PROVIDER_OVERLOADED)).isEqualTo("overloaded_error");
        assertThat(ErrorTypes.type(ErrorKind.GATEWAY_OVERLOADED)).isEqualTo("overloaded_error");
        assertThat(ErrorTypes.type(ErrorKind.PAYLOAD_TOO_LARGE)).isEqualTo("request_too_large");
        assertThat(ErrorTypes.type(ErrorKind.UNAUTHENTICATED)).isEqualTo("authentication_error");
        assertThat(ErrorTypes.type(ErrorKind.PERMISSION_DENIED)).isEqualTo("permission_error");
        assertThat(ErrorTypes.type(ErrorKind.INVALID_REQUEST)).isEqualTo("invalid_request_error");
        assertThat(ErrorTypes.type(ErrorKind.PROVIDER_BAD_REQUEST)).isEqualTo("invalid_request_error");
        assertThat(ErrorTypes.type(ErrorKind.CONTEXT_TOO_LONG)).isEqualTo("invalid_request_error");
        assertThat(ErrorTypes.type(ErrorKind.PROVIDER_AUTH)).isEqualTo("api_error");
        assertThat(ErrorTypes.type(ErrorKind.INTERNAL)).isEqualTo("api_error");
        assertThat(ErrorTypes.type(ErrorKind.BUDGET_EXCEEDED)).isEqualTo("billing_error");
        assertThat(ErrorTypes.type(ErrorKind.PROVIDER_TIMEOUT)).isEqualTo("timeout_error");
    }

    @ParameterizedTest
    @EnumSource(ErrorKind.class)
    void everyKindRendersAsValidJson(ErrorKind kind) {
        JsonNode body = tree(dialect.encodeError(GatewayError.of(kind, "m \"quoted\" \n"), null));
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("message").asText()).isEqualTo("m \"quoted\" \n");
        assertThat(body.path("error").path("type").asText()).isNotBlank();
        assertThat(body.has("request_id")).isTrue();
    }

    @Test
    void modelListHasAnthropicsShapeWithChatModelsOnly() {
        var models = List.of(new ListedModel("claude-sonnet", Operation.CHAT),
                new ListedModel("embed", Operation.EMBEDDINGS), new ListedModel("claude-haiku", Operation.CHAT));
        assertThat(new String(dialect.encodeModelList(models), StandardCharsets.UTF_8)).isEqualTo("{\"data\":["
                + "{\"type\":\"model\",\"id\":\"claude-sonnet\",\"display_name\":\"claude-sonnet\",\"created_at\":\"1970-01-01T00:00:00Z\",\"lifecycle\":\"active\"},"
                + "{\"type\":\"model\",\"id\":\"claude-haiku\",\"display_name\":\"claude-haiku\",\"created_at\":\"1970-01-01T00:00:00Z\",\"lifecycle\":\"active\"}],"
                + "\"has_more\":false,\"first_id\":\"claude-sonnet\",\"last_id\":\"claude-haiku\"}");
        assertThat(new String(dialect.encodeModelList(List.of()), StandardCharsets.UTF_8))
                .isEqualTo("{\"data\":[],\"has_more\":false,\"first_id\":null,\"last_id\":null}");
    }

    @Test
    void tokenCountIsAnInputTokensObject() {
        assertThat(new String(dialect.encodeTokenCount(2095), StandardCharsets.UTF_8)).isEqualTo("{\"input_tokens\":2095}");
        assertThat(dialect).isInstanceOf(dev.tollgate.core.spi.TokenCounting.class);
        assertThat(dialect.id()).isEqualTo("anthropic");
    }

    static JsonNode tree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
