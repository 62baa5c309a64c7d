package dev.tollgate.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.providers.ProviderAdapterContract;
import dev.tollgate.providers.wire.BodyExcerpt;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiAdapterTest extends ProviderAdapterContract {

    private static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");
    private final OpenAiAdapter adapter = new OpenAiAdapter(Clock.fixed(NOW, ZoneOffset.UTC));

    @Override
    protected ProviderAdapter adapter() {
        return adapter;
    }

    @Override
    protected String fixtureDir() {
        return "openai";
    }

    @Override
    protected List<String> transcripts() {
        return List.of("text", "tool-call", "usage", "error", "truncated", "azure-filter", "usage-on-finish");
    }

    @Override
    protected Map<String, ChatResponse> replies() {
        return Map.of(
                "reply-text.json", new ChatResponse("chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "gpt-4o-2024-08-06", 1741570283,
                        List.of(new Part.Text("The image shows the Eiffel Tower. It is 18 °C in Paris.")), FinishReason.STOP,
                        new Usage(1117, 46, 1024, 0, 12, true)),
                "reply-tool-call.json", new ChatResponse("chatcmpl-B9MKS2q8tyv2sh0TFnG2EIxQh3AGl", "gpt-4o-2024-08-06",
                        1741570480, List.of(
                                new Part.ToolCall("call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather",
                                        "{\"city\":\"Paris, France\",\"unit\":\"celsius\"}"),
                                new Part.ToolCall("call_ABCDEF0123456789abcdef01", "get_time", "{\"timezone\":\"Europe/Paris\"}")),
                        FinishReason.TOOL_CALLS, new Usage(82, 41, 0, 0, 0, true)),
                // An explicit zero is what the provider said: reported, never replaced by an estimate.
                "reply-zero-usage.json", new ChatResponse("cmpl-local-1", "llama-3.1-8b", 1741570500,
                        List.of(new Part.Text("")), FinishReason.LENGTH, new Usage(0, 0, 0, 0, 0, true)),
                "reply-no-usage.json", new ChatResponse("cmpl-local-2", "llama-3.1-8b", 1741570501,
                        List.of(new Part.Text("Hi.")), FinishReason.STOP, Usage.UNKNOWN));
    }

    private static String error(String message, String type, String param, String code) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":"
                + (param == null ? "null" : "\"" + param + "\"") + ",\"code\":" + (code == null ? "null" : "\"" + code + "\"") + "}}";
    }

    @Override
    protected List<ClassifyCase> classifyCases() {
        Map<String, String> none = Map.of();
        return List.of(
                new ClassifyCase("400 context length", 400, none, error(
                        "This model's maximum context length is 128000 tokens. However, your messages resulted in 130012 tokens.",
                        "invalid_request_error", "messages", "context_length_exceeded"), ErrorKind.CONTEXT_TOO_LONG, 400, null),
                new ClassifyCase("400 safety system", 400, none, error("Your request was rejected as a result of our safety "
                        + "system. Your prompt may contain text that is not allowed by our safety system.", "invalid_request_error", null,
                        "content_policy_violation"), ErrorKind.CONTENT_FILTERED, 400, null),
                new ClassifyCase("400 content management policy in words only", 400, none, "{\"object\":\"error\",\"message\":"
                        + "\"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.\","
                        + "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}", ErrorKind.CONTENT_FILTERED, 400, null),
                new ClassifyCase("404 content_filter code is not a refusal outside a 400", 404, none, error("Not found.",
                        "invalid_request_error", null, "content_filter"), ErrorKind.PROVIDER_BAD_REQUEST, 404, null),
                new ClassifyCase("400 bad parameter", 400, none, error("Invalid value for 'temperature'.",
                        "invalid_request_error", "temperature", "invalid_value"), ErrorKind.PROVIDER_BAD_REQUEST, 400, null),
                new ClassifyCase("401 bad key", 401, none, error("Incorrect API key provided: " + API_KEY + ".",
                        "invalid_request_error", null, "invalid_api_key"), ErrorKind.PROVIDER_AUTH, 401, null),
                new ClassifyCase("403 region", 403, none, error("Country, region, or territory not supported",
                        "request_forbidden", null, "unsupported_country_region_territory"), ErrorKind.PROVIDER_AUTH, 403, null),
                new ClassifyCase("404 unknown model", 404, none, error("The model `gpt-9` does not exist or you do not have access to it.",
                        "invalid_request_error", null, "model_not_found"), ErrorKind.PROVIDER_BAD_REQUEST, 404, null),
                new ClassifyCase("404 ollama string error", 404, none, "{\"error\":\"model \\\"llama9\\\" not found, try pulling it first\"}",
                        ErrorKind.PROVIDER_BAD_REQUEST, 404, null),
                new ClassifyCase("408", 408, none, "", ErrorKind.PROVIDER_TIMEOUT, 408, null),
                new ClassifyCase("422 vLLM context", 422, none,
                        "{\"object\":\"error\",\"message\":\"This model's maximum context length is 8192 tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}",
                        ErrorKind.CONTEXT_TOO_LONG, 422, null),
                new ClassifyCase("429 retry-after seconds", 429, Map.of("retry-after", "20"),
                        error("Rate limit reached for gpt-4o on tokens per min (TPM).", "tokens", null, "rate_limit_exceeded"),
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofSeconds(20)),
                new ClassifyCase("429 retry-after-ms wins", 429, Map.of("retry-after", "2", "retry-after-ms", "1500.5"),
                        error("Rate limit reached.", "requests", null, "rate_limit_exceeded"),
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofNanos(1_500_500_000)),
                new ClassifyCase("429 retry-after date", 429, Map.of("retry-after", "Mon, 10 Mar 2025 12:00:30 GMT"),
                        error("Rate limit reached.", "requests", null, "rate_limit_exceeded"),
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofSeconds(30)),
                new ClassifyCase("429 retry-after date in the past", 429, Map.of("retry-after", "Mon, 10 Mar 2025 11:00:00 GMT"),
                        "", ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ZERO),
                new ClassifyCase("429 unreadable retry-after", 429, Map.of("retry-after", "soon"), "",
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, null),
                new ClassifyCase("500", 500, none, error("The server had an error while processing your request.",
                        "server_error", null, null), ErrorKind.PROVIDER_ERROR, 500, null),
                new ClassifyCase("502 html", 502, none, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>cloudflare</body></html>",
                        ErrorKind.PROVIDER_ERROR, 502, null),
                new ClassifyCase("503 overloaded", 503, Map.of("retry-after", "5"), error("Service unavailable.", "server_error", null, null),
                        ErrorKind.PROVIDER_OVERLOADED, 503, Duration.ofSeconds(5)),
                new ClassifyCase("504", 504, none, "upstream request timeout", ErrorKind.PROVIDER_TIMEOUT, 504, null),
                new ClassifyCase("529", 529, none, "", ErrorKind.PROVIDER_OVERLOADED, 529, null),
                new ClassifyCase("418 other client error", 418, none, "", ErrorKind.PROVIDER_BAD_REQUEST, 418, null),
                new ClassifyCase("302 is not an error status", 302, none, "", ErrorKind.PROVIDER_ERROR, 502, null));
    }

    private GatewayError classify(int status, Map<String, String> headers, String body) {
        return adapter.classify(new UpstreamReply(status, headers, body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void identifiesItself() {
        assertThat(adapter.type()).isEqualTo("openai");
        assertThat(adapter.dialect()).isEqualTo("openai");
    }

    @Test
    void classifyKeepsTheProvidersMessageParamAndCode() {
        GatewayError error = classify(400, Map.of(), error("Invalid value for 'temperature'.", "invalid_request_error",
                "temperature", "invalid_value"));
        assertThat(error.message()).isEqualTo("Invalid value for 'temperature'.");
        assertThat(error.param()).isEqualTo("temperature");
        assertThat(error.code()).isEqualTo("invalid_value");
    }

    @Test
    void credentialFailuresNeitherEchoTheKeyNorBlameTheClientsKey() {
        GatewayError error = classify(401, Map.of(), error("Incorrect API key provided: sk-te***cdef.",
                "invalid_request_error", null, "invalid_api_key"));
        assertThat(error.message()).doesNotContain("sk-").contains("401");
        assertThat(error.code()).isNull();
    }

    @Test
    void nonJsonBodiesBecomeAShortOneLineExcerpt() {
        String page = "<html>\n<body>" + "x".repeat(5000) + "</body></html>";
        GatewayError error = classify(502, Map.of(), page);
        assertThat(error.message()).startsWith("The upstream provider returned HTTP 502: <html> <body>xxx").doesNotContain("\n");
        String excerpt = error.message().substring(error.message().indexOf(": ") + 2);
        assertThat(excerpt).hasSize(BodyExcerpt.MAX_CHARS);
    }

    @Test
    void classifyIgnoresHeaderValuesInMessages() {
        GatewayError error = classify(500, Map.of("x-request-id", "secret-header-value"), "");
        assertThat(error.message()).isEqualTo("The upstream provider returned HTTP 500.").doesNotContain("secret");
    }

    @Test
    void forwardTargetsTheOperationsEndpointWithoutABody() {
        UpstreamCall chat = adapter.forward(Operation.CHAT, deployment());
        UpstreamCall embeddings = adapter.forward(Operation.EMBEDDINGS, deployment());
        assertThat(chat.uri()).isEqualTo(URI.create("https://upstream.test/v1/chat/completions"));
        assertThat(embeddings.uri()).isEqualTo(URI.create("https://upstream.test/v1/embeddings"));
        assertThat(chat.body()).isNull();
        assertThat(chat.headers()).containsExactly(
                new Header("authorization", "Bearer " + API_KEY),
                new Header("openai-organization", "org-test"),
                new Header("content-type", "application/json"));
    }

    @Test
    void aKeylessLocalServerGetsNoAuthorization() {
        var local = new Provider("local", "openai", URI.create("http://127.0.0.1:8000/v1/"), null, "authorization",
                List.of(), Timeouts.DEFAULTS, null, null);
        UpstreamCall call = adapter.prepare(canonicalRequest(false), new Deployment("m/local/llama", local, "llama", 1, Limits.NONE));
        assertThat(call.uri()).isEqualTo(URI.create("http://127.0.0.1:8000/v1/chat/completions"));
        assertThat(call.headers()).containsExactly(new Header("content-type", "application/json"));
        assertThat(tree(call.body()).path("model").asText()).isEqualTo("llama");
    }

    @Test
    void parseRefusesGarbageAsAProviderError() {
        for (String body : List.of("", "not json", "[]", "{\"choices\":[]}", "{\"id\":1}")) {
            assertThatThrownBy(() -> adapter.parse(new UpstreamReply(200, Map.of(), body.getBytes(StandardCharsets.UTF_8))))
                    .as(body)
                    .isInstanceOfSatisfying(GatewayException.class,
                            e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        }
    }

    @Test
    void decoderIgnoresEverythingAfterDone() {
        StreamDecoder decoder = adapter.streamDecoder();
        assertThat(decoder.onEvent(SseEvent.data("[DONE]"))).isEmpty();
        assertThat(decoder.onEvent(SseEvent.data("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"late\"}}]}"))).isEmpty();
        assertThat(decoder.onComplete()).isEmpty();
    }

    @Test
    void decoderTurnsNonJsonDataIntoAFailureAndStops() {
        StreamDecoder decoder = adapter.streamDecoder();
        assertThat(decoder.onEvent(SseEvent.data("{oops")))
                .singleElement()
                .isInstanceOfSatisfying(StreamEvent.Failure.class,
                        f -> assertThat(f.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        assertThat(decoder.onComplete()).isEmpty();
    }

    @Test
    void decoderClassifiesInStreamErrorsByTypeAndCode() {
        assertThat(inStream(error("Rate limit reached", "requests", null, "rate_limit_exceeded")))
                .isEqualTo(ErrorKind.PROVIDER_RATE_LIMITED);
        assertThat(inStream(error("too long", "invalid_request_error", "messages", "context_length_exceeded")))
                .isEqualTo(ErrorKind.CONTEXT_TOO_LONG);
        assertThat(inStream(error("busy", "server_error", null, "server_is_overloaded")))
                .isEqualTo(ErrorKind.PROVIDER_OVERLOADED);
        assertThat(inStream(error("The response was filtered due to the prompt triggering Azure OpenAI's content management "
                + "policy.", "null", "prompt", "content_filter"))).isEqualTo(ErrorKind.CONTENT_FILTERED);
        assertThat(inStream(error("Your request was rejected as a result of our safety system.", "invalid_request_error", null,
                "content_policy_violation"))).isEqualTo(ErrorKind.CONTENT_FILTERED);
        assertThat(inStream("{\"error\":\"plain text\"}")).isEqualTo(ErrorKind.PROVIDER_ERROR);
    }

    private ErrorKind inStream(String data) {
        List<StreamEvent> events = adapter.streamDecoder().onEvent(SseEvent.data(data));
        return ((StreamEvent.Failure) events.getFirst()).error().kind();
    }

    @Test
    void theIncludeUsageChunkYieldsOnlyAUsageUpdate() {
        StreamDecoder decoder = adapter.streamDecoder();
        List<StreamEvent> events = decoder.onEvent(SseEvent.data(
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":0,\"total_tokens\":3}}"));
        assertThat(events).containsExactly(new StreamEvent.UsageUpdate(Usage.reported(3, 0)));
    }

    @Test
    void embeddingsArePreparedForTheUpstreamModel() {
        var request = new EmbeddingRequest("public-embed", List.of("a", "b"), 256, "base64", "u1",
                Map.of("custom", new dev.tollgate.core.model.RawJson("{\"x\": 1}")));
        UpstreamCall call = adapter.prepareEmbeddings(request, deployment());
        assertThat(call.uri()).isEqualTo(URI.create("https://upstream.test/v1/embeddings"));
        assertThat(tree(call.body())).isEqualTo(tree(
                "{\"model\":\"gpt-4o-2024-08-06\",\"input\":[\"a\",\"b\"],\"dimensions\":256,\"encoding_format\":\"base64\",\"user\":\"u1\",\"custom\":{\"x\":1}}"
                        .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void embeddingsParseFromFloatsAndBase64InInputOrder() {
        String base64 = EmbeddingsResponseCodec.toBase64(new float[] {0.5f, -0.25f});
        String body = "{\"object\":\"list\",\"data\":["
                + "{\"object\":\"embedding\",\"index\":1,\"embedding\":\"" + base64 + "\"},"
                + "{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2,3e-3]}],"
                + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}";
        EmbeddingResponse response = adapter.parseEmbeddings(new UpstreamReply(200, Map.of(), body.getBytes(StandardCharsets.UTF_8)));
        assertThat(response.model()).isEqualTo("text-embedding-3-small");
        assertThat(response.vectors()).hasSize(2);
        assertThat(response.vectors().get(0)).containsExactly(0.1f, -0.2f, 0.003f);
        assertThat(response.vectors().get(1)).containsExactly(0.5f, -0.25f);
        assertThat(response.usage()).isEqualTo(Usage.reported(8, 0));
    }

    @Test
    void embeddingsGarbageIsAProviderError() {
        for (String body : List.of("{}", "{\"data\":[{\"index\":0}]}", "{\"data\":[{\"embedding\":\"!!!\"}]}", "{\"data\":[1]}", "x")) {
            assertThatThrownBy(() -> adapter.parseEmbeddings(new UpstreamReply(200, Map.of(), body.getBytes(StandardCharsets.UTF_8))))
                    .as(body)
                    .isInstanceOfSatisfying(GatewayException.class,
                            e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        }
    }
}
