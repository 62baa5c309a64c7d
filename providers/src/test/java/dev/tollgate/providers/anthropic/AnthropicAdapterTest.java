package dev.tollgate.providers.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.ChatResponse;
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
import dev.tollgate.core.runtime.Secret;
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

class AnthropicAdapterTest extends ProviderAdapterContract {

    static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");
    private static final String REQUEST_ID = "req_011CSHoEeqs5C35K2UUqR7Fy";

    private final AnthropicAdapter adapter = new AnthropicAdapter(Clock.fixed(NOW, ZoneOffset.UTC));

    @Override
    protected ProviderAdapter adapter() {
        return adapter;
    }

    @Override
    protected String fixtureDir() {
        return "anthropic";
    }

    /**
     * An Anthropic provider as config builds it: the key in x-api-key. The host is the contract's
     * {@code upstream.test} (its credentials check names that host); {@link #anthropicTest} is the production-shaped
     * base URL without {@code /v1}.
     */
    @Override
    protected Deployment deployment() {
        return deployment(URI.create("https://upstream.test"), null);
    }

    static Deployment deployment(URI base, String apiVersion) {
        var provider = new Provider("anthropic", "anthropic", base, new Secret("${env:ANTHROPIC_API_KEY}", API_KEY),
                "x-api-key", List.of(new Header("anthropic-beta", "prompt-caching-2024-07-31")), Timeouts.DEFAULTS,
                apiVersion, null);
        return new Deployment("claude-sonnet/anthropic/claude-sonnet-4-5-20250929", provider, "claude-sonnet-4-5-20250929", 1, Limits.NONE);
    }

    private static Deployment anthropicTest() {
        return deployment(URI.create("https://api.anthropic.test"), null);
    }

    @Override
    protected List<String> transcripts() {
        return List.of("text", "tool-use", "parallel-tools", "thinking", "cache-usage", "overloaded", "truncated", "refusal");
    }

    @Override
    protected Map<String, ChatResponse> replies() {
        long created = NOW.getEpochSecond();
        return Map.of(
                "reply-text.json", new ChatResponse("msg_01XFDUDYJgAACzvnptvVoYEL", "claude-sonnet-4-5-20250929", created,
                        List.of(new Part.Text("The image shows the Eiffel Tower. It is 18 °C in Paris.")), FinishReason.STOP,
                        new Usage(1117, 46, 1024, 0, 0, true)),
                "reply-tool-use.json", new ChatResponse("msg_01Aq9w938a90dw8q", "claude-sonnet-4-5-20250929", created, List.of(
                                new Part.Text("I'll check both."),
                                new Part.ToolCall("toolu_01A09q90qw90lq917835lq9", "get_weather",
                                        "{\"city\":\"Paris, France\",\"unit\":\"celsius\"}"),
                                new Part.ToolCall("toolu_01B7pQ3tSmF8kWcXvZ2nLr4e", "get_time", "{\"timezone\":\"Europe/Paris\"}")),
                        FinishReason.TOOL_CALLS, new Usage(22022, 141, 20480, 1530, 17, true)),
                "reply-no-usage.json", new ChatResponse("msg_01NoUsage", "claude-3-5-haiku-20241022", created,
                        List.of(new Part.Text("Once upon a")), FinishReason.LENGTH, Usage.UNKNOWN),
                // An explicit zero is what the provider said: reported, never replaced by an estimate.
                "reply-stop-sequence.json", new ChatResponse("msg_01StopSeq", "claude-3-5-haiku-20241022", created,
                        List.of(new Part.Text("1, 2, 3"), new Part.Text(", 4")), FinishReason.STOP, new Usage(0, 0, 0, 0, 0, true)));
    }

    static String error(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"},\"request_id\":\""
                + REQUEST_ID + "\"}";
    }

    @Override
    protected List<ClassifyCase> classifyCases() {
        Map<String, String> none = Map.of();
        return List.of(
                new ClassifyCase("400 prompt too long", 400, none, error("invalid_request_error",
                        "prompt is too long: 208310 tokens > 200000 maximum"), ErrorKind.CONTEXT_TOO_LONG, 400, null),
                new ClassifyCase("400 prompt and max_tokens over the window", 400, none, error("invalid_request_error",
                        "input length and `max_tokens` exceed context limit: 197626 + 8192 > 200000, decrease input length or `max_tokens` and try again"),
                        ErrorKind.CONTEXT_TOO_LONG, 400, null),
                new ClassifyCase("400 bad parameter", 400, none, error("invalid_request_error", "max_tokens: Field required"),
                        ErrorKind.PROVIDER_BAD_REQUEST, 400, null),
                new ClassifyCase("401 bad key", 401, none, error("authentication_error", "invalid x-api-key " + API_KEY),
                        ErrorKind.PROVIDER_AUTH, 401, null),
                new ClassifyCase("402 billing", 402, none, error("billing_error", "Your credit balance is too low to access the Anthropic API."),
                        ErrorKind.PROVIDER_AUTH, 402, null),
                new ClassifyCase("403 permission", 403, none, error("permission_error", "Your API key does not have permission to use the specified resource."),
                        ErrorKind.PROVIDER_AUTH, 403, null),
                new ClassifyCase("404 unknown model", 404, none, error("not_found_error", "model: claude-9"),
                        ErrorKind.PROVIDER_BAD_REQUEST, 404, null),
                new ClassifyCase("413 from the edge", 413, none, "<html><body><h1>413 Request Entity Too Large</h1></body></html>",
                        ErrorKind.PROVIDER_BAD_REQUEST, 413, null),
                new ClassifyCase("429 retry-after seconds", 429, Map.of("retry-after", "20",
                        "anthropic-ratelimit-tokens-reset", "2025-03-10T12:01:00Z"), error("rate_limit_error",
                        "Number of request tokens has exceeded your per-minute rate limit"),
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofSeconds(20)),
                new ClassifyCase("429 retry-after decimal", 429, Map.of("retry-after", "1.5"), error("rate_limit_error", "slow down"),
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofMillis(1500)),
                new ClassifyCase("429 retry-after date", 429, Map.of("retry-after", "Mon, 10 Mar 2025 12:00:30 GMT"),
                        error("rate_limit_error", "slow down"), ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofSeconds(30)),
                new ClassifyCase("429 retry-after absurd", 429, Map.of("retry-after", "9999999"), error("rate_limit_error", "slow down"),
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, null),
                new ClassifyCase("429 without retry-after", 429, none, error("rate_limit_error", "slow down"),
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, null),
                new ClassifyCase("500 api error", 500, none, error("api_error", "Internal server error"),
                        ErrorKind.PROVIDER_ERROR, 500, null),
                new ClassifyCase("500 that says overloaded", 500, none, error("overloaded_error", "Overloaded"),
                        ErrorKind.PROVIDER_OVERLOADED, 500, null),
                new ClassifyCase("502 html", 502, none, "<html>\r\n<head><title>502 Bad Gateway</title></head></html>",
                        ErrorKind.PROVIDER_ERROR, 502, null),
                new ClassifyCase("503", 503, none, "", ErrorKind.PROVIDER_OVERLOADED, 503, null),
                new ClassifyCase("504 timeout", 504, none, error("timeout_error", "Request timed out"),
                        ErrorKind.PROVIDER_TIMEOUT, 504, null),
                new ClassifyCase("529 overloaded", 529, Map.of("retry-after", "5"), error("overloaded_error", "Overloaded"),
                        ErrorKind.PROVIDER_OVERLOADED, 529, Duration.ofSeconds(5)),
                new ClassifyCase("418 other client error", 418, none, "", ErrorKind.PROVIDER_BAD_REQUEST, 418, null),
                new ClassifyCase("302 is not an error status", 302, none, "", ErrorKind.PROVIDER_ERROR, 502, null));
    }

    private GatewayError classify(int status, Map<String, String> headers, String body) {
        return adapter.classify(new UpstreamReply(status, headers, body.getBytes(StandardCharsets.UTF_8)));
    }

    private static UpstreamReply reply(String body) {
        return new UpstreamReply(200, Map.of("content-type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void identifiesItself() {
        assertThat(adapter.type()).isEqualTo("anthropic");
        assertThat(adapter.dialect()).isEqualTo("anthropic");
    }

    @Test
    void prepareSendsTheKeyTheVersionAndJsonToMessages() {
        UpstreamCall call = adapter.prepare(canonicalRequest(false), anthropicTest());
        assertThat(call.uri()).isEqualTo(URI.create("https://api.anthropic.test/v1/messages"));
        assertThat(call.headers()).containsExactly(
                new Header("x-api-key", API_KEY),
                new Header("anthropic-beta", "prompt-caching-2024-07-31"),
                new Header("anthropic-version", "2023-06-01"),
                new Header("content-type", "application/json"));
    }

    @Test
    void theProvidersApiVersionWins() {
        UpstreamCall call = adapter.prepare(canonicalRequest(false), deployment(URI.create("https://api.anthropic.test/"), "2024-10-22"));
        assertThat(call.uri()).isEqualTo(URI.create("https://api.anthropic.test/v1/messages"));
        assertThat(call.headers()).contains(new Header("anthropic-version", "2024-10-22"))
                .doesNotContain(new Header("anthropic-version", "2023-06-01"));
    }

    @Test
    void forwardTargetsMessagesOrCountTokensWithoutABody() {
        UpstreamCall chat = adapter.forward(Operation.CHAT, anthropicTest());
        UpstreamCall count = adapter.forward(Operation.COUNT_TOKENS, anthropicTest());
        assertThat(chat.uri()).isEqualTo(URI.create("https://api.anthropic.test/v1/messages"));
        assertThat(count.uri()).isEqualTo(URI.create("https://api.anthropic.test/v1/messages/count_tokens"));
        assertThat(chat.body()).isNull();
        assertThat(count.headers()).isEqualTo(chat.headers());
        assertThat(chat.toString()).doesNotContain(API_KEY);
        assertThatThrownBy(() -> adapter.forward(Operation.EMBEDDINGS, anthropicTest()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void classifyKeepsAnthropicsMessage() {
        GatewayError error = classify(400, Map.of(), error("invalid_request_error", "messages.1.content: Field required"));
        assertThat(error.message()).isEqualTo("messages.1.content: Field required");
        assertThat(error.param()).isNull();
    }

    @Test
    void credentialFailuresNeverEchoTheKey() {
        GatewayError error = classify(401, Map.of(), error("authentication_error", "invalid x-api-key sk-ant-api03-abc"));
        assertThat(error.message()).doesNotContain("sk-").contains("401");
        assertThat(error.code()).isNull();
    }

    @Test
    void nonJsonBodiesBecomeAShortOneLineExcerpt() {
        GatewayError error = classify(502, Map.of(), "<html>\n<body>" + "x".repeat(5000) + "</body></html>");
        assertThat(error.message()).startsWith("The upstream provider returned HTTP 502: <html> <body>xxx").doesNotContain("\n");
        assertThat(error.message().substring(error.message().indexOf(": ") + 2)).hasSize(BodyExcerpt.MAX_CHARS);
        assertThat(classify(500, Map.of("request-id", "secret-header-value"), "").message())
                .isEqualTo("The upstream provider returned HTTP 500.");
    }

    @Test
    void parseRefusesGarbageAsAProviderError() {
        for (String body : List.of("", "not json", "[]", "{}", "{\"content\":{}}", "{\"type\":\"error\",\"error\":{}}")) {
            assertThatThrownBy(() -> adapter.parse(reply(body)))
                    .as(body)
                    .isInstanceOfSatisfying(GatewayException.class,
                            e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        }
    }

    @Test
    void usageSumsTheInputPartsWithoutDecodingTheRest() {
        assertThat(adapter.usage(reply(new String(own("reply-tool-use.json"), StandardCharsets.UTF_8))))
                .isEqualTo(new Usage(22022, 141, 20480, 1530, 17, true));
        assertThat(adapter.usage(reply("{\"content\":[{\"usage\":{\"input_tokens\":5}}],\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}")))
                .isEqualTo(Usage.reported(3, 4));
        // A forwarded count_tokens answer has no usage: counting is free.
        assertThat(adapter.usage(reply("{\"input_tokens\":2095}"))).isEqualTo(Usage.UNKNOWN);
    }

    @Test
    void usageOfABrokenReplyIsAProviderError() {
        for (String body : List.of("", "[1]", "{\"usage\":{\"input_tokens\":1}", "{} {}", "{\"usage\":")) {
            assertThatThrownBy(() -> adapter.usage(reply(body)))
                    .as(body)
                    .isInstanceOfSatisfying(GatewayException.class,
                            e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        }
    }

    @Test
    void decoderIgnoresEverythingAfterMessageStop() {
        StreamDecoder decoder = adapter.streamDecoder();
        assertThat(decoder.onEvent(new SseEvent("message_stop", "{\"type\":\"message_stop\"}", null))).isEmpty();
        assertThat(decoder.onEvent(new SseEvent("content_block_delta",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"late\"}}", null))).isEmpty();
        assertThat(decoder.onComplete()).isEmpty();
    }

    @Test
    void decoderTurnsNonJsonDataIntoAFailureAndStops() {
        StreamDecoder decoder = adapter.streamDecoder();
        assertThat(decoder.onEvent(new SseEvent("content_block_delta", "{oops", null)))
                .singleElement()
                .isInstanceOfSatisfying(StreamEvent.Failure.class,
                        f -> assertThat(f.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        assertThat(decoder.onComplete()).isEmpty();
    }

    @Test
    void decoderRefusesToolInputForABlockThatIsNoToolCall() {
        StreamDecoder decoder = adapter.streamDecoder();
        decoder.onEvent(new SseEvent("content_block_start",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}", null));
        assertThat(decoder.onEvent(new SseEvent("content_block_delta",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}", null)))
                .singleElement().isInstanceOf(StreamEvent.Failure.class);
    }

    @Test
    void decoderIgnoresEventTypesItDoesNotKnow() {
        StreamDecoder decoder = adapter.streamDecoder();
        assertThat(decoder.onEvent(new SseEvent("future_event", "{\"type\":\"future_event\",\"x\":1}", null))).isEmpty();
        assertThat(decoder.onEvent(new SseEvent("content_block_delta",
                "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"citations_delta\",\"citation\":{}}}", null))).isEmpty();
        assertThat(decoder.onEvent(SseEvent.data(" "))).isEmpty();
    }

    @Test
    void decoderFallsBackToTheEventNameWhenTheDataHasNoType() {
        StreamDecoder decoder = adapter.streamDecoder();
        assertThat(decoder.onEvent(new SseEvent("message_stop", "{}", null))).isEmpty();
        assertThat(decoder.onComplete()).isEmpty();
    }

    @Test
    void aMessageStartWithoutUsageReportsNone() {
        StreamDecoder decoder = adapter.streamDecoder();
        assertThat(decoder.onEvent(new SseEvent("message_start",
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-x\"}}", null)))
                .containsExactly(new StreamEvent.Start("msg_1", "claude-x", NOW.getEpochSecond()));
    }

    @Test
    void decoderClassifiesInStreamErrorsByType() {
        assertThat(inStream("rate_limit_error", "slow down").kind()).isEqualTo(ErrorKind.PROVIDER_RATE_LIMITED);
        assertThat(inStream("rate_limit_error", "slow down").httpStatus()).isEqualTo(429);
        assertThat(inStream("api_error", "boom").kind()).isEqualTo(ErrorKind.PROVIDER_ERROR);
        assertThat(inStream("timeout_error", "late").kind()).isEqualTo(ErrorKind.PROVIDER_TIMEOUT);
        assertThat(inStream("invalid_request_error", "prompt is too long: 1 tokens > 0 maximum").kind())
                .isEqualTo(ErrorKind.CONTEXT_TOO_LONG);
        assertThat(inStream("something_new", "?").kind()).isEqualTo(ErrorKind.PROVIDER_ERROR);
        GatewayError auth = inStream("authentication_error", "invalid x-api-key sk-ant-xyz");
        assertThat(auth.kind()).isEqualTo(ErrorKind.PROVIDER_AUTH);
        assertThat(auth.message()).doesNotContain("sk-");
    }

    private GatewayError inStream(String type, String message) {
        List<StreamEvent> events = adapter.streamDecoder().onEvent(new SseEvent("error", error(type, message), null));
        return ((StreamEvent.Failure) events.getFirst()).error();
    }
}
