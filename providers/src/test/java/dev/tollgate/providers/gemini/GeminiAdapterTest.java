package dev.tollgate.providers.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.providers.ProviderAdapterContract;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GeminiAdapterTest extends ProviderAdapterContract {

    static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");
    static final long CREATED = NOW.getEpochSecond();
    private final GeminiAdapter adapter = new GeminiAdapter(Clock.fixed(NOW, ZoneOffset.UTC));

    @Override
    protected ProviderAdapter adapter() {
        return adapter;
    }

    @Override
    protected String fixtureDir() {
        return "gemini";
    }

    /** The contract's host and path (Gemini's stable {@code v1} lives beside {@code v1beta}), with Gemini's auth header. */
    @Override
    protected Deployment deployment() {
        return deployment("https://upstream.test/v1", "gemini-2.5-flash");
    }

    static Deployment deployment(String base, String model) {
        var provider = new Provider("google", GeminiAdapter.TYPE, URI.create(base), new Secret("${env:GEMINI_API_KEY}", API_KEY),
                "x-goog-api-key", List.of(), Timeouts.DEFAULTS, null, null);
        return new Deployment("public-model/google/" + model, provider, model, 1, Limits.NONE);
    }

    @Override
    protected List<String> transcripts() {
        return List.of("text", "tool-call", "usage", "safety", "truncated", "error", "blocked");
    }

    @Override
    protected Map<String, ChatResponse> replies() {
        return Map.of(
                // Cached tokens are part of the prompt count; thinking is part of output and reported as reasoning.
                "reply-text.json", new ChatResponse("mfBoaMCoB5TwnvgP0Z_4uQg", "gemini-2.5-flash", CREATED,
                        List.of(new Part.Text("The image shows the Eiffel Tower. It is 18 °C in Paris.")), FinishReason.STOP,
                        new Usage(1117, 46, 1024, 0, 12, true)),
                "reply-tool-call.json", new ChatResponse("Wk3PaJ2pK8-4nvgPh7LOiQ0", "gemini-2.5-flash", CREATED, List.of(
                        new Part.ToolCall("call_Wk3PaJ2pK8-4nvgPh7LOiQ0_0", "get_weather",
                                "{\"city\":\"Paris, France\",\"unit\":\"celsius\"}"),
                        new Part.ToolCall("call_Wk3PaJ2pK8-4nvgPh7LOiQ0_1", "get_time", "{\"timezone\":\"Europe/Paris\"}")),
                        FinishReason.TOOL_CALLS, new Usage(82, 41, 0, 0, 12, true)),
                "reply-own-call-id.json", new ChatResponse("c1RzaOq2HZ3rnvgP8a2x0Q8", "gemini-3-pro-preview", CREATED, List.of(
                        new Part.Text("Let me check."), new Part.ToolCall("fc_8f2a61", "lookup_order", "{}")),
                        FinishReason.TOOL_CALLS, new Usage(40, 9, 0, 0, 0, true)),
                "reply-safety.json", new ChatResponse("3lHPaMfWNqHEnvgPvZ-S0Qk", "gemini-2.0-flash", CREATED, List.of(),
                        FinishReason.CONTENT_FILTER, new Usage(15, 0, 0, 0, 0, true)),
                "reply-max-tokens.json", new ChatResponse("Fk_PaKyRLdTcnvgPqvjq8Qw", "gemini-2.0-flash", CREATED,
                        List.of(new Part.Text("Once upon a time, in a land far")), FinishReason.LENGTH, new Usage(6, 10, 0, 0, 0, true)));
    }

    private static String error(int code, String status, String message, String details) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\""
                + (details == null ? "" : ",\"details\":[" + details + "]") + "}}";
    }

    private static final String RETRY_30S = "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{"
            + "\"quotaMetric\":\"generativelanguage.googleapis.com/generate_content_free_tier_requests\","
            + "\"quotaId\":\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\",\"quotaValue\":\"10\"}]},"
            + "{\"@type\":\"type.googleapis.com/google.rpc.Help\",\"links\":[{\"description\":\"Learn more about Gemini API quotas\","
            + "\"url\":\"https://ai.google.dev/gemini-api/docs/rate-limits\"}]},"
            + "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"30s\"}";

    private static final String KEY_INVALID = "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\","
            + "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"generativelanguage.googleapis.com\"}}";

    @Override
    protected List<ClassifyCase> classifyCases() {
        Map<String, String> none = Map.of();
        String quota = error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", RETRY_30S);
        return List.of(
                new ClassifyCase("400 token limit", 400, none, error(400, "INVALID_ARGUMENT",
                        "The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).", null),
                        ErrorKind.CONTEXT_TOO_LONG, 400, null),
                new ClassifyCase("400 bad argument", 400, none, error(400, "INVALID_ARGUMENT",
                        "Invalid JSON payload received. Unknown name \\\"foo\\\": Cannot find field.", null),
                        ErrorKind.PROVIDER_BAD_REQUEST, 400, null),
                new ClassifyCase("400 invalid key", 400, none, error(400, "INVALID_ARGUMENT",
                        "API key not valid. Please pass a valid API key.", KEY_INVALID), ErrorKind.PROVIDER_AUTH, 400, null),
                new ClassifyCase("400 region", 400, none, error(400, "FAILED_PRECONDITION",
                        "User location is not supported for the API use.", null), ErrorKind.PROVIDER_AUTH, 400, null),
                new ClassifyCase("401", 401, none, error(401, "UNAUTHENTICATED",
                        "Request had invalid authentication credentials.", null), ErrorKind.PROVIDER_AUTH, 401, null),
                new ClassifyCase("403", 403, none, error(403, "PERMISSION_DENIED",
                        "Method doesn't allow unregistered callers (callers without established identity).", null),
                        ErrorKind.PROVIDER_AUTH, 403, null),
                new ClassifyCase("404 unknown model", 404, none, error(404, "NOT_FOUND",
                        "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.", null),
                        ErrorKind.PROVIDER_BAD_REQUEST, 404, null),
                new ClassifyCase("429 RetryInfo", 429, none, quota, ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofSeconds(30)),
                new ClassifyCase("429 RetryInfo wins over Retry-After", 429, Map.of("retry-after", "20"), error(429,
                        "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).",
                        "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"1.5s\"}"),
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofMillis(1500)),
                new ClassifyCase("429 Retry-After seconds", 429, Map.of("retry-after", "20"), error(429, "RESOURCE_EXHAUSTED",
                        "Resource has been exhausted (e.g. check quota).", null), ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofSeconds(20)),
                new ClassifyCase("429 Retry-After date", 429, Map.of("retry-after", "Mon, 10 Mar 2025 12:00:30 GMT"), "",
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofSeconds(30)),
                new ClassifyCase("429 in an array", 429, none, "[" + quota + "]", ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofSeconds(30)),
                new ClassifyCase("500", 500, none, error(500, "INTERNAL", "An internal error has occurred.", null),
                        ErrorKind.PROVIDER_ERROR, 500, null),
                new ClassifyCase("502 html", 502, none, "<html>\r\n<title>502 Bad Gateway</title>\r\n</html>", ErrorKind.PROVIDER_ERROR, 502, null),
                new ClassifyCase("503 overloaded", 503, none, error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", null),
                        ErrorKind.PROVIDER_OVERLOADED, 503, null),
                new ClassifyCase("504", 504, none, error(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", null),
                        ErrorKind.PROVIDER_TIMEOUT, 504, null),
                new ClassifyCase("302 is not an error status", 302, none, "", ErrorKind.PROVIDER_ERROR, 502, null));
    }

    private GatewayError classify(int status, String body) {
        return adapter.classify(new UpstreamReply(status, Map.of(), body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void identifiesItself() {
        assertThat(adapter.type()).isEqualTo("gemini");
    }

    @Test
    void callsGoToTheDocumentedEndpointsWithTheKeyInAHeaderOnly() {
        Deployment google = deployment("https://generativelanguage.googleapis.com/v1beta", "gemini-2.5-flash");
        UpstreamCall chat = adapter.prepare(canonicalRequest(false), google);
        UpstreamCall stream = adapter.prepare(canonicalRequest(true), google);
        assertThat(chat.uri()).isEqualTo(URI.create(
                "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"));
        assertThat(stream.uri()).isEqualTo(URI.create(
                "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"));
        for (UpstreamCall call : List.of(chat, stream)) {
            assertThat(call.uri().toString()).doesNotContain(API_KEY).doesNotContain("key=");
            assertThat(call.headers()).containsExactly(new Header("x-goog-api-key", API_KEY),
                    new Header("content-type", "application/json"));
            assertThat(call.toString()).doesNotContain(API_KEY);
        }
    }

    @Test
    void resourcePathsAreKeptAndBareNamesPrefixed() {
        String base = "https://generativelanguage.googleapis.com/v1beta/";
        assertThat(adapter.prepare(canonicalRequest(false), deployment(base, "models/gemini-2.0-flash")).uri().getPath())
                .isEqualTo("/v1beta/models/gemini-2.0-flash:generateContent");
        assertThat(adapter.prepare(canonicalRequest(false), deployment(base, "tunedModels/support-bot-7")).uri().getPath())
                .isEqualTo("/v1beta/tunedModels/support-bot-7:generateContent");
    }

    @Test
    void aModelNameThatCouldBendTheUrlIsAGatewayError() {
        for (String model : List.of("gemini?key=x", "../files", "models/a/b", "a#b", "")) {
            assertThatThrownBy(() -> adapter.prepare(canonicalRequest(false), deployment("https://upstream.test/v1beta", model)))
                    .as(model)
                    .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.INTERNAL));
        }
    }

    @Test
    void aBlockedPromptIsAContentPolicyRefusalNotRetriedOnGemini() {
        assertThatThrownBy(() -> adapter.parse(new UpstreamReply(200, Map.of(), own("reply-blocked.json"))))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.CONTENT_FILTERED);
                    assertThat(e.error().httpStatus()).isEqualTo(400);
                    assertThat(e.error().code()).isEqualTo("content_filter");
                    assertThat(e.error().message()).contains("SAFETY");
                    assertThat(e.error().retryable()).isFalse();
                });
    }

    @Test
    void parseRefusesGarbageAsAProviderError() {
        for (String body : List.of("", "not json", "[]", "{\"candidates\":[]}", "{\"responseId\":\"x\"}")) {
            assertThatThrownBy(() -> adapter.parse(new UpstreamReply(200, Map.of(), body.getBytes(StandardCharsets.UTF_8))))
                    .as(body)
                    .isInstanceOfSatisfying(GatewayException.class,
                            e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        }
    }

    @Test
    void credentialFailuresGetAFixedMessage() {
        GatewayError error = classify(400, error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", KEY_INVALID));
        assertThat(error.message()).isEqualTo("The upstream provider refused the gateway's credentials or account (HTTP 400 API_KEY_INVALID).");
        assertThat(error.code()).isNull();
    }

    @Test
    void classifyKeepsGooglesMessageAndNeverAHeader() {
        GatewayError error = adapter.classify(new UpstreamReply(503, Map.of("x-goog-request-id", "secret-header-value"),
                error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", null).getBytes(StandardCharsets.UTF_8)));
        assertThat(error.message()).isEqualTo("The model is overloaded. Please try again later.");
        assertThat(classify(500, "").message()).isEqualTo("The upstream provider returned HTTP 500.");
    }

    @Test
    void protoDurationsAndRetryAfterValuesParse() {
        assertThat(GeminiErrors.protoDuration("0.000340s")).isEqualTo(Duration.ofNanos(340_000));
        assertThat(GeminiErrors.protoDuration("30")).isNull();
        assertThat(GeminiErrors.protoDuration("-1s")).isNull();
        assertThat(GeminiErrors.protoDuration("1e400s")).isNull();
        assertThat(GeminiErrors.retryAfter("soon", NOW)).isNull();
        assertThat(GeminiErrors.retryAfter("Mon, 10 Mar 2025 11:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    }
}
