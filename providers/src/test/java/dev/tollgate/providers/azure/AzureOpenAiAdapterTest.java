package dev.tollgate.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
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
import dev.tollgate.core.spi.Operation;
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

class AzureOpenAiAdapterTest extends ProviderAdapterContract {

    private static final String VERSION = "2024-10-21";
    private final AzureOpenAiAdapter adapter =
            new AzureOpenAiAdapter(Clock.fixed(Instant.parse("2025-03-10T12:00:00Z"), ZoneOffset.UTC));

    @Override
    protected ProviderAdapter adapter() {
        return adapter;
    }

    @Override
    protected String fixtureDir() {
        return "azure";
    }

    /** The contract's host and path: an API gateway in front of the resource, as many Azure shops run. */
    @Override
    protected Deployment deployment() {
        return deployment("https://upstream.test/v1", "api-key", VERSION, "gpt-4o-prod");
    }

    private static Deployment deployment(String base, String authHeader, String version, String name) {
        var provider = new Provider("azure-eu", AzureOpenAiAdapter.TYPE, URI.create(base),
                new Secret("${env:AZURE_OPENAI_API_KEY}", API_KEY), authHeader, List.of(), Timeouts.DEFAULTS, version, null);
        return new Deployment("public-model/azure-eu/" + name, provider, name, 1, Limits.NONE);
    }

    private static Deployment resource() {
        return deployment("https://contoso-eu.openai.azure.com", "api-key", VERSION, "gpt-4o-prod");
    }

    @Override
    protected List<String> transcripts() {
        return List.of("prompt-filter", "content-filter", "truncated");
    }

    @Override
    protected Map<String, ChatResponse> replies() {
        return Map.of(
                "reply-text.json", new ChatResponse("chatcmpl-C5azure000000000000000000", "gpt-4o-2024-11-20", 1741571300,
                        List.of(new Part.Text("It is 18 °C in Paris.")), FinishReason.STOP, new Usage(1291, 11, 1152, 0, 0, true)),
                "reply-content-filter.json", new ChatResponse("chatcmpl-C6azure000000000000000000", "gpt-4o-2024-11-20", 1741571400,
                        List.of(), FinishReason.CONTENT_FILTER, Usage.reported(25, 37)));
    }

    private static final String PROMPT_FILTERED = "{\"error\":{\"message\":\"The response was filtered due to the prompt "
            + "triggering Azure OpenAI's content management policy. Please modify your prompt and retry.\",\"type\":null,"
            + "\"param\":\"prompt\",\"code\":\"content_filter\",\"status\":400,\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\","
            + "\"content_filter_result\":{\"hate\":{\"filtered\":true,\"severity\":\"high\"},\"jailbreak\":{\"filtered\":false,\"detected\":false},"
            + "\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"violence\":{\"filtered\":false,\"severity\":\"safe\"}}}}}";

    @Override
    protected List<ClassifyCase> classifyCases() {
        Map<String, String> none = Map.of();
        return List.of(
                new ClassifyCase("400 prompt filter", 400, none, PROMPT_FILTERED, ErrorKind.CONTENT_FILTERED, 400, null),
                new ClassifyCase("400 context length", 400, none, "{\"error\":{\"message\":\"This model's maximum context length is "
                        + "128000 tokens. However, your messages resulted in 130012 tokens.\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}", ErrorKind.CONTEXT_TOO_LONG, 400, null),
                new ClassifyCase("401 bad key", 401, none, "{\"error\":{\"code\":\"401\",\"message\":\"Access denied due to invalid "
                        + "subscription key or wrong API endpoint.\"}}", ErrorKind.PROVIDER_AUTH, 401, null),
                new ClassifyCase("404 unknown deployment", 404, none, "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API "
                        + "deployment for this resource does not exist.\"}}", ErrorKind.PROVIDER_BAD_REQUEST, 404, null),
                new ClassifyCase("429 token rate", 429, Map.of("retry-after", "6", "retry-after-ms", "5400"), "{\"error\":{\"code\":\"429\","
                        + "\"message\":\"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have "
                        + "exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds.\"}}",
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofMillis(5400)),
                new ClassifyCase("500", 500, none, "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"The service is "
                        + "temporarily unable to process your request.\"}}", ErrorKind.PROVIDER_ERROR, 500, null),
                new ClassifyCase("503", 503, Map.of("retry-after", "2"), "", ErrorKind.PROVIDER_OVERLOADED, 503, Duration.ofSeconds(2)));
    }

    @Test
    void identifiesItselfAndSpeaksTheOpenAiDialect() {
        assertThat(adapter.type()).isEqualTo("azure-openai");
        assertThat(adapter.dialect()).isEqualTo("openai");
    }

    @Test
    void callsGoToTheDeploymentWithTheApiVersionAndTheKeyInAHeaderOnly() {
        UpstreamCall chat = adapter.prepare(canonicalRequest(false), resource());
        assertThat(chat.uri()).isEqualTo(URI.create(
                "https://contoso-eu.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21"));
        assertThat(chat.headers()).containsExactly(new Header("api-key", API_KEY), new Header("content-type", "application/json"));
        assertThat(chat.uri().toString()).doesNotContain(API_KEY);
        assertThat(chat.toString()).doesNotContain(API_KEY);
    }

    @Test
    void embeddingsAndForwardedCallsAreReAimedToo() {
        var request = new EmbeddingRequest("public-embed", List.of("a"), null, null, null, Map.of());
        UpstreamCall embeddings = adapter.prepareEmbeddings(request, resource());
        assertThat(embeddings.uri()).isEqualTo(URI.create(
                "https://contoso-eu.openai.azure.com/openai/deployments/gpt-4o-prod/embeddings?api-version=2024-10-21"));
        assertThat(tree(embeddings.body()).path("input").get(0).asText()).isEqualTo("a");

        UpstreamCall forwarded = adapter.forward(Operation.CHAT, resource());
        assertThat(forwarded.uri()).isEqualTo(URI.create(
                "https://contoso-eu.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21"));
        assertThat(forwarded.body()).isNull();
        assertThat(adapter.forward(Operation.EMBEDDINGS, resource()).uri().getPath())
                .isEqualTo("/openai/deployments/gpt-4o-prod/embeddings");
        assertThatThrownBy(() -> adapter.forward(Operation.COUNT_TOKENS, resource())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBearerTokenWorksThroughTheAuthorizationHeader() {
        UpstreamCall call = adapter.prepare(canonicalRequest(false),
                deployment("https://contoso-eu.openai.azure.com/", "authorization", "2025-04-01-preview", "o3-mini"));
        assertThat(call.headers()).contains(new Header("authorization", "Bearer " + API_KEY));
        assertThat(call.uri()).isEqualTo(URI.create(
                "https://contoso-eu.openai.azure.com/openai/deployments/o3-mini/chat/completions?api-version=2025-04-01-preview"));
    }

    @Test
    void aMissingVersionOrABadDeploymentNameIsAGatewayError() {
        for (Deployment broken : List.of(
                deployment("https://contoso.openai.azure.com", "api-key", null, "gpt-4o"),
                deployment("https://contoso.openai.azure.com", "api-key", " ", "gpt-4o"),
                deployment("https://contoso.openai.azure.com", "api-key", VERSION, "gpt-4o/../../admin"),
                deployment("https://contoso.openai.azure.com", "api-key", VERSION, "gpt-4o?api-version=1"))) {
            assertThatThrownBy(() -> adapter.prepare(canonicalRequest(false), broken))
                    .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.INTERNAL));
        }
    }

    @Test
    void theVersionIsQueryEncoded() {
        UpstreamCall call = adapter.prepare(canonicalRequest(false),
                deployment("https://contoso.openai.azure.com", "api-key", "2024-10-21&x=1", "gpt-4o"));
        assertThat(call.uri().getRawQuery()).isEqualTo("api-version=2024-10-21%26x%3D1");
    }

    @Test
    void thePromptFilterKeepsAzuresMessageParamAndCode() {
        GatewayError error = adapter.classify(new UpstreamReply(400, Map.of(), PROMPT_FILTERED.getBytes(StandardCharsets.UTF_8)));
        assertThat(error.code()).isEqualTo("content_filter");
        assertThat(error.param()).isEqualTo("prompt");
        assertThat(error.message()).startsWith("The response was filtered due to the prompt");
        assertThat(error.retryable()).isFalse();
    }

    @Test
    void usageIsReadForThePassthroughRelay() {
        assertThat(adapter.usage(new UpstreamReply(200, Map.of(), own("reply-text.json")))).isEqualTo(new Usage(1291, 11, 1152, 0, 0, true));
    }
}
