package dev.tollgate.providers.openai;

import static dev.tollgate.providers.ClientBodies.j;
import static dev.tollgate.providers.ClientBodies.rejection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.ToolChoice;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.spi.ListedModel;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.providers.ClientBodies;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class OpenAiDialectTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final OpenAiDialect dialect = new OpenAiDialect();
    private final OpenAiAdapter adapter = new OpenAiAdapter();

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = OpenAiDialectTest.class.getResourceAsStream("/fixtures/openai/" + name)) {
            return in.readAllBytes();
        }
    }

    static Deployment deployment() {
        var provider = new Provider("openai", "openai", URI.create("https://api.openai.com/v1"), null, "authorization",
                List.of(), Timeouts.DEFAULTS, null, null);
        return new Deployment("gpt-4o/openai/gpt-4o-2024-08-06", provider, "gpt-4o-2024-08-06", 1, Limits.NONE);
    }

    @Test
    void decodeReadsEveryKnownField() throws IOException {
        ChatRequest request = dialect.decodeChat(fixture("client-request.json"));
        assertThat(request.model()).isEqualTo("gpt-4o");
        assertThat(request.messages()).extracting(m -> m.role())
                .containsExactly(Role.DEVELOPER, Role.USER, Role.ASSISTANT, Role.TOOL);
        assertThat(request.messages().get(0).text()).isEqualTo("Answer in French. Be brief.");
        assertThat(request.messages().get(1).name()).isEqualTo("bob");
        assertThat(request.lastUserText()).isEqualTo("Quel temps fait-il à Paris ? été 😀");
        assertThat(request.messages().get(2).parts()).containsExactly(new Part.Text("Je regarde."),
                new Part.ToolCall("call_9", "get_weather", "{\"city\": \"Paris\"}"));
        assertThat(request.messages().get(3).parts()).containsExactly(new Part.ToolResult("call_9", "{\"temp_c\": 21}"));
        assertThat(request.sampling().maxTokens()).isEqualTo(100);
        assertThat(request.sampling().temperature()).isEqualTo(1.0);
        assertThat(request.sampling().stop()).containsExactly("FIN");
        assertThat(request.stream()).isTrue();
        assertThat(request.includeUsage()).isFalse();
        assertThat(request.toolChoice()).isEqualTo(new ToolChoice.Named("get_weather"));
        assertThat(request.responseFormat()).isEqualTo(
                new ResponseFormat.JsonSchema("weather", "Today's weather", new RawJson("{\"type\": \"object\"}"), true));
        assertThat(request.tools().getFirst().strict()).isTrue();
        assertThat(request.user()).isEqualTo("end-user-7");
        assertThat(request.extensions()).containsOnlyKeys("logit_bias", "parallel_tool_calls", "metadata",
                "reasoning_effort", "logprobs", "top_logprobs", "store", "service_tier");
        // Unknown values are kept exactly as the client wrote them, whitespace included.
        assertThat(request.extensions().get("logit_bias").json()).isEqualTo("{\"50256\":   -100}");
        assertThat(request.extensions().get("metadata").json()).isEqualTo("{\"team\": \"support\", \"nested\": [1, 2.50, {\"deep\": null}]}");
        assertThat(request.tools().getFirst().parameters().json())
                .isEqualTo("{\"type\":\"object\",  \"properties\": {\"city\": {\"type\": \"string\"}}}");
    }

    @Test
    void decodeThenPrepareKeepsUnknownFields() throws IOException {
        ChatRequest request = dialect.decodeChat(fixture("client-request.json"));
        UpstreamCall call = adapter.prepare(request, deployment());
        assertThat(JSON.readTree(call.body())).isEqualTo(JSON.readTree(fixture("client-request.upstream.json")));
    }

    @Test
    void preparedBodiesAreStableAcrossCalls() throws IOException {
        ChatRequest request = dialect.decodeChat(fixture("client-request.json"));
        assertThat(adapter.prepare(request, deployment()).body()).isEqualTo(adapter.prepare(request, deployment()).body());
    }

    static Stream<Arguments> invalidRequests() {
        String ok = "'messages':[{'role':'user','content':'hi'}]";
        return Stream.of(
                Arguments.of("truncated JSON", "{'model':", null, "invalid_json"),
                Arguments.of("not JSON", "not json", null, "invalid_json"),
                Arguments.of("empty body", "", null, "invalid_json"),
                Arguments.of("whitespace body", "  \n", null, "invalid_json"),
                Arguments.of("unquoted key", "{model:1}", null, "invalid_json"),
                Arguments.of("array body", "[]", null, "invalid_type"),
                Arguments.of("string body", "'hello'", null, "invalid_type"),
                Arguments.of("trailing value", "{'model':'m'," + ok + "} {}", null, "invalid_json"),
                Arguments.of("trailing garbage", "{'model':'m'," + ok + "}x", null, "invalid_json"),
                Arguments.of("missing model", "{" + ok + "}", "model", "missing_required_parameter"),
                Arguments.of("numeric model", "{'model':5," + ok + "}", "model", "invalid_type"),
                Arguments.of("null model", "{'model':null," + ok + "}", "model", "invalid_type"),
                Arguments.of("duplicate model", "{'model':'a','model':'b'," + ok + "}", "model", "duplicate_key"),
                Arguments.of("missing messages", "{'model':'m'}", "messages", "missing_required_parameter"),
                Arguments.of("empty messages", "{'model':'m','messages':[]}", "messages", "empty_array"),
                Arguments.of("object messages", "{'model':'m','messages':{}}", "messages", "invalid_type"),
                Arguments.of("null messages", "{'model':'m','messages':null}", "messages", "invalid_type"),
                Arguments.of("message not an object", "{'model':'m','messages':[{'role':'user','content':'a'},'b']}",
                        "messages[1]", "invalid_type"),
                Arguments.of("bad role", "{'model':'m','messages':[{'role':'user','content':'a'},{'role':'user','content':'b'},"
                        + "{'role':'assistant','content':'c'},{'role':'robot','content':'d'}]}", "messages[3].role", "invalid_value"),
                Arguments.of("missing role", "{'model':'m','messages':[{'content':'a'}]}", "messages[0].role", "missing_required_parameter"),
                Arguments.of("numeric role", "{'model':'m','messages':[{'role':1,'content':'a'}]}", "messages[0].role", "invalid_type"),
                Arguments.of("user without content", "{'model':'m','messages':[{'role':'user'}]}", "messages[0].content", "missing_required_parameter"),
                Arguments.of("numeric content", "{'model':'m','messages':[{'role':'user','content':4}]}", "messages[0].content", "invalid_type"),
                Arguments.of("audio part", "{'model':'m','messages':[{'role':'user','content':[{'type':'text','text':'a'},"
                        + "{'type':'input_audio','input_audio':{}}]}]}", "messages[0].content[1].type", "invalid_value"),
                Arguments.of("part without type", "{'model':'m','messages':[{'role':'user','content':[{'text':'a'}]}]}",
                        "messages[0].content[0].type", "missing_required_parameter"),
                Arguments.of("image without url", "{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{}}]}]}",
                        "messages[0].content[0].image_url.url", "missing_required_parameter"),
                Arguments.of("image in a system message", "{'model':'m','messages':[{'role':'system','content':"
                        + "[{'type':'image_url','image_url':{'url':'https://x/y.png'}}]}]}", "messages[0].content", "invalid_value"),
                Arguments.of("tool result without call id", "{'model':'m','messages':[{'role':'user','content':'a'},{'role':'tool','content':'r'}]}",
                        "messages[1].tool_call_id", "missing_required_parameter"),
                Arguments.of("tool call without a name", "{'model':'m','messages':[{'role':'user','content':'a'},{'role':'assistant',"
                        + "'tool_calls':[{'id':'c','type':'function','function':{'arguments':'{}'}}]}]}",
                        "messages[1].tool_calls[0].function.name", "missing_required_parameter"),
                Arguments.of("string temperature", "{'model':'m'," + ok + ",'temperature':'hot'}", "temperature", "invalid_type"),
                Arguments.of("infinite temperature", "{'model':'m'," + ok + ",'temperature':1e999}", "temperature", "invalid_value"),
                Arguments.of("boolean top_p", "{'model':'m'," + ok + ",'top_p':true}", "top_p", "invalid_type"),
                Arguments.of("fractional max_tokens", "{'model':'m'," + ok + ",'max_tokens':1.5}", "max_tokens", "invalid_type"),
                Arguments.of("zero max_tokens", "{'model':'m'," + ok + ",'max_tokens':0}", "max_tokens", "invalid_value"),
                Arguments.of("huge max_tokens", "{'model':'m'," + ok + ",'max_tokens':99999999999}", "max_tokens", "invalid_value"),
                Arguments.of("string max_completion_tokens", "{'model':'m'," + ok + ",'max_completion_tokens':'5'}",
                        "max_completion_tokens", "invalid_type"),
                Arguments.of("negative n", "{'model':'m'," + ok + ",'n':-1}", "n", "invalid_value"),
                Arguments.of("string seed", "{'model':'m'," + ok + ",'seed':'x'}", "seed", "invalid_type"),
                Arguments.of("128-bit seed", "{'model':'m'," + ok + ",'seed':100000000000000000000000}", "seed", "invalid_value"),
                Arguments.of("object presence_penalty", "{'model':'m'," + ok + ",'presence_penalty':{}}", "presence_penalty", "invalid_type"),
                Arguments.of("array frequency_penalty", "{'model':'m'," + ok + ",'frequency_penalty':[]}", "frequency_penalty", "invalid_type"),
                Arguments.of("numeric stop", "{'model':'m'," + ok + ",'stop':5}", "stop", "invalid_type"),
                Arguments.of("numeric stop item", "{'model':'m'," + ok + ",'stop':['a',1]}", "stop[1]", "invalid_type"),
                Arguments.of("string stream", "{'model':'m'," + ok + ",'stream':'yes'}", "stream", "invalid_type"),
                Arguments.of("numeric stream_options", "{'model':'m'," + ok + ",'stream_options':1}", "stream_options", "invalid_type"),
                Arguments.of("string include_usage", "{'model':'m'," + ok + ",'stream_options':{'include_usage':'y'}}",
                        "stream_options.include_usage", "invalid_type"),
                Arguments.of("object tools", "{'model':'m'," + ok + ",'tools':{}}", "tools", "invalid_type"),
                Arguments.of("unknown tool type", "{'model':'m'," + ok + ",'tools':[{'type':'retrieval'}]}", "tools[0].type", "invalid_value"),
                Arguments.of("nameless function", "{'model':'m'," + ok + ",'tools':[{'type':'function','function':{}}]}",
                        "tools[0].function.name", "missing_required_parameter"),
                Arguments.of("array parameters", "{'model':'m'," + ok + ",'tools':[{'type':'function','function':{'name':'f','parameters':[]}}]}",
                        "tools[0].function.parameters", "invalid_type"),
                Arguments.of("unknown tool_choice", "{'model':'m'," + ok + ",'tool_choice':'sometimes'}", "tool_choice", "invalid_value"),
                Arguments.of("numeric tool_choice", "{'model':'m'," + ok + ",'tool_choice':3}", "tool_choice", "invalid_type"),
                Arguments.of("nameless tool_choice", "{'model':'m'," + ok + ",'tool_choice':{'type':'function','function':{}}}",
                        "tool_choice.function.name", "missing_required_parameter"),
                Arguments.of("unknown response format", "{'model':'m'," + ok + ",'response_format':{'type':'yaml'}}",
                        "response_format.type", "invalid_value"),
                Arguments.of("nameless json schema", "{'model':'m'," + ok + ",'response_format':{'type':'json_schema','json_schema':{'schema':{}}}}",
                        "response_format.json_schema.name", "missing_required_parameter"),
                Arguments.of("numeric user", "{'model':'m'," + ok + ",'user':5}", "user", "invalid_type"),
                Arguments.of("duplicate unknown field", "{'model':'m'," + ok + ",'x':1,'x':2}", "x", "duplicate_key"));
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
    }

    @Test
    void aHundredThousandOpenBracketsAreRefusedWithoutStackOverflow() {
        // A bare array is refused for not being an object before its depth matters.
        byte[] bomb = "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        GatewayError error = rejection(() -> dialect.decodeChat(bomb));
        assertThat(error.httpStatus()).isEqualTo(400);
        assertThat(error.param()).isNull();

        byte[] objects = "{\"a\":".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        assertThat(rejection(() -> dialect.decodeChat(objects)).code()).isEqualTo("json_depth_exceeded");

        byte[] nested = ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x\":"
                + "[".repeat(100_000)).getBytes(StandardCharsets.US_ASCII);
        assertThat(rejection(() -> dialect.decodeChat(nested)).code()).isEqualTo("json_depth_exceeded");
    }

    @Test
    void sixtyFourLevelsAreAllowedAndSixtyFiveAreNot() {
        // The body object and its field are two levels; the rest is the extension's arrays.
        String head = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x\":";
        byte[] deepest = (head + "[".repeat(63) + "]".repeat(63) + "}").getBytes(StandardCharsets.US_ASCII);
        assertThat(dialect.decodeChat(deepest).extensions()).containsKey("x");
        byte[] tooDeep = (head + "[".repeat(64) + "]".repeat(64) + "}").getBytes(StandardCharsets.US_ASCII);
        assertThat(rejection(() -> dialect.decodeChat(tooDeep)).code()).isEqualTo("json_depth_exceeded");
    }

    /** A valid chat body but for its {@code count} messages. */
    static byte[] manyMessages(int count) {
        return ClientBodies.withMessages("\"model\":\"m\",", count);
    }

    @Test
    void aMillionMessagesAreRefused() {
        GatewayError error = rejection(() -> dialect.decodeChat(manyMessages(1_000_000)));
        assertThat(error.param()).isEqualTo("messages");
        assertThat(error.code()).isEqualTo("too_many_messages");
    }

    @Test
    void tenThousandMessagesAreFine() {
        assertThat(dialect.decodeChat(manyMessages(10_000)).messages()).hasSize(10_000);
    }

    @Test
    void onlyUtf8IsAccepted() {
        byte[] utf16 = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes(StandardCharsets.UTF_16LE);
        assertThat(rejection(() -> dialect.decodeChat(utf16)).code()).isEqualTo("invalid_json");
    }

    @Test
    void nullsMeanNotSet() {
        ChatRequest request = dialect.decodeChat(j("{'model':'m','messages':[{'role':'assistant','content':null,"
                + "'tool_calls':[{'id':'c','type':'function','function':{'name':'f','arguments':'{}'}}]}],"
                + "'temperature':null,'stop':null,'tools':null,'tool_choice':null,'response_format':null,'stream':null,"
                + "'stream_options':null,'user':null}"));
        assertThat(request.sampling().temperature()).isNull();
        assertThat(request.sampling().stop()).isEmpty();
        assertThat(request.tools()).isEmpty();
        assertThat(request.toolChoice()).isNull();
        assertThat(request.responseFormat()).isNull();
        assertThat(request.stream()).isFalse();
        assertThat(request.user()).isNull();
        assertThat(request.extensions()).isEmpty();
    }

    @Test
    void maxCompletionTokensWinsOverItsDeprecatedAlias() {
        ChatRequest request = dialect.decodeChat(j("{'model':'m','messages':[{'role':'user','content':'a'}],"
                + "'max_tokens':10,'max_completion_tokens':20}"));
        assertThat(request.sampling().maxTokens()).isEqualTo(20);
    }

    @Test
    void encodeChatWritesAChatCompletion() throws IOException {
        var response = new ChatResponse("chatcmpl-tg-1", "gpt-4o-2024-08-06", 1741570000,
                List.of(new Part.Text("Checking."), new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")),
                FinishReason.TOOL_CALLS, new Usage(120, 30, 64, 0, 8, true));
        assertThat(JSON.readTree(dialect.encodeChat(response))).isEqualTo(JSON.readTree(fixture("response.expected.json")));
    }

    @Test
    void encodeChatWritesNullContentForToolCallsOnly() throws IOException {
        var response = new ChatResponse("c", "m", 1, List.of(new Part.ToolCall("call_1", "f", "{}")),
                FinishReason.TOOL_CALLS, Usage.reported(1, 1));
        JsonNode message = JSON.readTree(dialect.encodeChat(response)).path("choices").path(0).path("message");
        assertThat(message.get("content").isNull()).isTrue();
    }

    @Test
    void encodeErrorWritesOpenAisShapeWithTheRequestId() {
        byte[] body = dialect.encodeError(GatewayError.invalid("messages[3].role", "invalid_value", "Invalid value: 'robot'."), "req-1");
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
                "{\"error\":{\"message\":\"Invalid value: 'robot'.\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"messages[3].role\",\"code\":\"invalid_value\",\"request_id\":\"req-1\"}}");
    }

    @Test
    void encodeErrorUsesTheKindsTypeAndCodeUnlessTheErrorHasItsOwn() throws IOException {
        JsonNode auth = JSON.readTree(dialect.encodeError(GatewayError.of(ErrorKind.UNAUTHENTICATED, "Bad key."), "r")).path("error");
        assertThat(auth.path("type").asText()).isEqualTo("authentication_error");
        assertThat(auth.path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(auth.get("param").isNull()).isTrue();

        JsonNode own = JSON.readTree(dialect.encodeError(new GatewayError(ErrorKind.CONTEXT_TOO_LONG, 400, "Too long.", "messages",
                "string_above_max_length", null), "r")).path("error");
        assertThat(own.path("code").asText()).isEqualTo("string_above_max_length");
        assertThat(own.path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void errorTableMatchesOpenAiWhereOpenAiHasAName() {
        assertThat(ErrorTable.type(ErrorKind.RATE_LIMITED)).isEqualTo("rate_limit_error");
        assertThat(ErrorTable.defaultCode(ErrorKind.RATE_LIMITED)).isEqualTo("rate_limit_exceeded");
        assertThat(ErrorTable.type(ErrorKind.MODEL_NOT_FOUND)).isEqualTo("invalid_request_error");
        assertThat(ErrorTable.defaultCode(ErrorKind.MODEL_NOT_FOUND)).isEqualTo("model_not_found");
        assertThat(ErrorTable.defaultCode(ErrorKind.NOT_FOUND)).isEqualTo("unknown_url");
        assertThat(ErrorTable.type(ErrorKind.PERMISSION_DENIED)).isEqualTo("permission_error");
        assertThat(ErrorTable.type(ErrorKind.PROVIDER_TIMEOUT)).isEqualTo("timeout_error");
        assertThat(ErrorTable.defaultCode(ErrorKind.PROVIDER_TIMEOUT)).isEqualTo("upstream_timeout");
        assertThat(ErrorTable.type(ErrorKind.PROVIDER_UNREACHABLE)).isEqualTo("api_error");
        assertThat(ErrorTable.defaultCode(ErrorKind.PROVIDER_UNREACHABLE)).isEqualTo("upstream_unreachable");
        assertThat(ErrorTable.type(ErrorKind.INTERNAL)).isEqualTo("server_error");
        assertThat(ErrorTable.defaultCode(ErrorKind.PAYLOAD_TOO_LARGE)).isEqualTo("request_too_large");
        assertThat(ErrorTable.defaultCode(ErrorKind.HEADERS_TOO_LARGE)).isEqualTo("headers_too_large");
        assertThat(ErrorTable.defaultCode(ErrorKind.METHOD_NOT_ALLOWED)).isEqualTo("method_not_allowed");
    }

    @ParameterizedTest
    @EnumSource(ErrorKind.class)
    void everyKindRendersAsValidJson(ErrorKind kind) throws IOException {
        JsonNode error = JSON.readTree(dialect.encodeError(GatewayError.of(kind, "m \"quoted\" \n"), null)).path("error");
        assertThat(error.path("message").asText()).isEqualTo("m \"quoted\" \n");
        assertThat(error.path("type").asText()).isNotBlank();
        assertThat(error.has("request_id")).isTrue();
    }

    @Test
    void embeddingsDecodeStringsAndKeepUnknownFields() {
        EmbeddingRequest single = dialect.decodeEmbeddings(j("{'model':'e','input':'hello'}"));
        assertThat(single.inputs()).containsExactly("hello");
        EmbeddingRequest many = dialect.decodeEmbeddings(j("{'model':'e','input':['a','b'],'dimensions':64,"
                + "'encoding_format':'base64','user':'u','extra':{'k':[1]}}"));
        assertThat(many.inputs()).containsExactly("a", "b");
        assertThat(many.dimensions()).isEqualTo(64);
        assertThat(many.encodingFormat()).isEqualTo("base64");
        assertThat(many.user()).isEqualTo("u");
        assertThat(many.extensions()).containsEntry("extra", new RawJson("{\"k\":[1]}"));
    }

    static Stream<Arguments> invalidEmbeddings() {
        return Stream.of(
                Arguments.of("{'input':'a'}", "model", "missing_required_parameter"),
                Arguments.of("{'model':'e'}", "input", "missing_required_parameter"),
                Arguments.of("{'model':'e','input':[1,2,3]}", "input", "invalid_type"),
                Arguments.of("{'model':'e','input':[[1,2],[3]]}", "input", "invalid_type"),
                Arguments.of("{'model':'e','input':['a',{}]}", "input[1]", "invalid_type"),
                Arguments.of("{'model':'e','input':[]}", "input", "empty_array"),
                Arguments.of("{'model':'e','input':''}", "input", "invalid_value"),
                Arguments.of("{'model':'e','input':7}", "input", "invalid_type"),
                Arguments.of("{'model':'e','input':'a','dimensions':0}", "dimensions", "invalid_value"),
                Arguments.of("{'model':'e','input':'a','encoding_format':'int8'}", "encoding_format", "invalid_value"),
                Arguments.of("{'model':'e','input':'a','input':'b'}", "input", "duplicate_key"),
                Arguments.of("[1]", null, "invalid_type"),
                Arguments.of("{'model':'e',", null, "invalid_json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEmbeddings")
    void invalidEmbeddingsGetA400NamingTheField(String body, String param, String code) {
        GatewayError error = rejection(() -> dialect.decodeEmbeddings(j(body)));
        assertThat(error.param()).isEqualTo(param);
        assertThat(error.code()).isEqualTo(code);
    }

    @Test
    void tooManyEmbeddingInputsAreRefused() {
        String inputs = String.join(",", java.util.Collections.nCopies(EmbeddingsRequestCodec.MAX_INPUTS + 1, "\"a\""));
        GatewayError error = rejection(() -> dialect.decodeEmbeddings(
                ("{\"model\":\"e\",\"input\":[" + inputs + "]}").getBytes(StandardCharsets.US_ASCII)));
        assertThat(error.code()).isEqualTo("too_many_inputs");
    }

    @Test
    void embeddingsEncodeAsFloatsOrLittleEndianBase64() throws IOException {
        float[] vector = {0.25f, -1.5f, 3.0e-8f};
        var response = new EmbeddingResponse("text-embedding-3-small", List.of(vector, new float[] {1f}), Usage.reported(7, 0));

        JsonNode floats = JSON.readTree(dialect.encodeEmbeddings(response, null));
        assertThat(floats.path("object").asText()).isEqualTo("list");
        assertThat(floats.path("model").asText()).isEqualTo("text-embedding-3-small");
        assertThat(floats.path("data").path(1).path("index").asInt()).isEqualTo(1);
        assertThat(floats.path("data").path(0).path("object").asText()).isEqualTo("embedding");
        JsonNode first = floats.path("data").path(0).path("embedding");
        assertThat(first).hasSize(3);
        assertThat(first.get(1).floatValue()).isEqualTo(-1.5f);
        assertThat((float) first.get(2).doubleValue()).isEqualTo(3.0e-8f);
        assertThat(floats.path("usage").path("prompt_tokens").asLong()).isEqualTo(7);
        assertThat(floats.path("usage").path("total_tokens").asLong()).isEqualTo(7);

        JsonNode base64 = JSON.readTree(dialect.encodeEmbeddings(response, "base64"));
        byte[] raw = Base64.getDecoder().decode(base64.path("data").path(0).path("embedding").asText());
        var buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new float[] {buffer.getFloat(), buffer.getFloat(), buffer.getFloat()}).containsExactly(vector);
        assertThat(JSON.readTree(dialect.encodeEmbeddings(response, "float"))).isEqualTo(floats);
    }

    @Test
    void dialectIdMatchesTheAdaptersPassthroughDialect() {
        assertThat(dialect.id()).isEqualTo(adapter.dialect());
    }

    @Test
    void decodingRejectsOnlyWithGatewayExceptions() {
        assertThatThrownBy(() -> dialect.decodeChat(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0}))
                .isInstanceOf(GatewayException.class);
    }

    @Test
    void toolMessagesFromOtherDialectsBecomeOneToolMessageEach() throws IOException {
        var request = new ChatRequest("m", List.of(
                new dev.tollgate.core.model.Message(Role.USER, List.of(new Part.ToolResult("a", "1"),
                        new Part.ToolResult("b", "2"), new Part.Text("and now?")), null)),
                dev.tollgate.core.model.Sampling.DEFAULTS, List.of(), null, null, false, false, null, Map.of(), "openai");
        JsonNode messages = JSON.readTree(adapter.prepare(request, deployment()).body()).path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(1).path("tool_call_id").asText()).isEqualTo("b");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("user");
        assertThat(messages.get(2).path("content").asText()).isEqualTo("and now?");
    }

    @Test
    void writesTheInBandStreamErrorOpenAiSends() throws IOException {
        var error = GatewayError.of(ErrorKind.PROVIDER_ERROR, "Connection to provider 'up' closed.");
        String frame = new String(dialect.encodeStreamError(error, "req_1"), StandardCharsets.UTF_8);
        assertThat(frame).startsWith("data: {").endsWith("}\n\n");
        JsonNode body = JSON.readTree(frame.substring(6));
        assertThat(body.path("error").path("message").asText()).isEqualTo("Connection to provider 'up' closed.");
        assertThat(body.path("error").path("type").asText()).isEqualTo("api_error");
        assertThat(body.path("error").path("request_id").asText()).isEqualTo("req_1");
    }

    @Test
    void listsModelsInConfigOrder() throws IOException {
        JsonNode list = JSON.readTree(dialect.encodeModelList(List.of(new ListedModel("b-model", Operation.CHAT),
                new ListedModel("a-model", Operation.EMBEDDINGS))));
        assertThat(list.path("object").asText()).isEqualTo("list");
        assertThat(list.path("data")).extracting(n -> n.path("id").asText()).containsExactly("b-model", "a-model");
        assertThat(list.path("data").get(0).path("object").asText()).isEqualTo("model");
        assertThat(JSON.readTree(dialect.encodeModelList(List.of())).path("data")).isEmpty();
    }
}
