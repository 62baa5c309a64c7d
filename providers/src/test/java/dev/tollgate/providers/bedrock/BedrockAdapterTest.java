package dev.tollgate.providers.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.routing.AwsCredentials;
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
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Bedrock adapter against the provider contract and its golden fixtures under {@code fixtures/bedrock}.
 *
 * <p>Stream transcripts ({@code <name>.sse}) are ConverseStream replies as the gateway's {@code EventStreamFramer}
 * hands them to the decoder: one block per event-stream message, {@code event:} its {@code :event-type} (or
 * {@code exception:<type>}) and {@code data:} its JSON payload, so the contract's SSE reader reads them as they
 * are. The binary framing itself is tested with the framer in the gateway-server module.
 */
class BedrockAdapterTest extends ProviderAdapterContract {

    static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String ACCESS_KEY = "AKIDTESTBEDROCK00001";
    static final String SECRET_KEY = "tEsT/SeCrEt+KeY0123456789abcdefEXAMPLEKEY";
    static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//session+token==";
    static final String MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    static final URI BASE = URI.create("https://bedrock-runtime.us-east-1.amazonaws.com");
    /** A tiny inline JPEG: the golden request's image. */
    static final String JPEG = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQg=";

    private final BedrockAdapter adapter = new BedrockAdapter(CLOCK);

    static AwsCredentials credentials(boolean temporary) {
        return new AwsCredentials(new Secret("${env:AWS_ACCESS_KEY_ID}", ACCESS_KEY),
                new Secret("${env:AWS_SECRET_ACCESS_KEY}", SECRET_KEY),
                temporary ? new Secret("${env:AWS_SESSION_TOKEN}", SESSION_TOKEN) : null, "us-east-1");
    }

    /** A deployment on Bedrock's own regional endpoint: what config compiles for {@code region: us-east-1}. */
    static Deployment deployment(String model, List<Header> headers, AwsCredentials aws) {
        var provider = new Provider("bedrock-east", BedrockAdapter.TYPE, BASE, null, "authorization", headers,
                Timeouts.DEFAULTS, null, aws);
        return new Deployment("public-model/bedrock-east/" + model, provider, model, 1, Limits.NONE);
    }

    @Override
    protected Deployment deployment() {
        return deployment(MODEL, List.of(), credentials(true));
    }

    @Override
    protected ProviderAdapter adapter() {
        return adapter;
    }

    @Override
    protected String fixtureDir() {
        return "bedrock";
    }

    @Override
    protected List<String> transcripts() {
        return List.of("text", "tool-use", "usage-cache", "throttled", "truncated", "reasoning", "cut-before-metadata");
    }

    private static final long CREATED = NOW.getEpochSecond();

    @Override
    protected Map<String, ChatResponse> replies() {
        return Map.of(
                "reply-text.json", new ChatResponse("", "", CREATED,
                        List.of(new Part.Text("The picture shows the Eiffel Tower. It is 18 °C in Paris.")),
                        FinishReason.STOP, new Usage(1523, 21, 0, 0, 0, true)),
                "reply-tool-use.json", new ChatResponse("", "", CREATED, List.of(
                        new Part.Text("I'll check the weather and the time."),
                        new Part.ToolCall("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "get_weather",
                                "{\"city\":\"Paris\",\"unit\":\"celsius\"}"),
                        new Part.ToolCall("tooluse_8gA0ed1yTy2d8m4kPq3v2w", "get_time", "{}")),
                        FinishReason.TOOL_CALLS, new Usage(412, 87, 0, 0, 0, true)),
                // Bedrock's inputTokens leaves out cache reads and writes; the canonical input count holds them.
                "reply-cache.json", new ChatResponse("", "", CREATED,
                        List.of(new Part.Text("Section 4.2 says the notice period is thirty days")),
                        FinishReason.LENGTH, new Usage(12 + 2816 + 224, 40, 2816, 224, 0, true)),
                "reply-reasoning.json", new ChatResponse("", "", CREATED, List.of(new Part.Text("42.")),
                        FinishReason.STOP, new Usage(18, 31, 0, 0, 0, true)),
                "reply-guardrail.json", new ChatResponse("", "", CREATED,
                        List.of(new Part.Text("Sorry, the model cannot answer this question.")),
                        FinishReason.CONTENT_FILTER, new Usage(25, 0, 0, 0, 0, true)));
    }

    private static Map<String, String> type(String errorType) {
        return Map.of("x-amzn-errortype", errorType + ":http://internal.amazon.com/coral/com.amazon.bedrock/",
                "x-amzn-requestid", "0b6d2e5e-7a4c-4f1e-9d3a-1c2b3a4d5e6f");
    }

    private static String message(String text) {
        return "{\"message\":\"" + text + "\"}";
    }

    @Override
    protected List<ClassifyCase> classifyCases() {
        return List.of(
                new ClassifyCase("400 validation", 400, type("ValidationException"),
                        message("Malformed input request: #: extraneous key [foo] is not permitted, please reformat your input and try again."),
                        ErrorKind.PROVIDER_BAD_REQUEST, 400, null),
                new ClassifyCase("400 input too long", 400, type("ValidationException"),
                        message("Input is too long for requested model."), ErrorKind.CONTEXT_TOO_LONG, 400, null),
                new ClassifyCase("400 prompt too long", 400, type("ValidationException"),
                        message("prompt is too long: 215024 tokens > 200000 maximum"), ErrorKind.CONTEXT_TOO_LONG, 400, null),
                new ClassifyCase("400 type in the body", 400, Map.of(),
                        "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"1 validation error detected\"}",
                        ErrorKind.PROVIDER_BAD_REQUEST, 400, null),
                new ClassifyCase("400 service quota", 400, type("ServiceQuotaExceededException"),
                        message("Your request exceeded your account's quota."), ErrorKind.PROVIDER_RATE_LIMITED, 400, null),
                new ClassifyCase("403 access denied", 403, type("AccessDeniedException"),
                        message("User: arn:aws:iam::123456789012:user/gateway is not authorized to perform: bedrock:InvokeModel"),
                        ErrorKind.PROVIDER_AUTH, 403, null),
                new ClassifyCase("403 unrecognized client", 403, type("UnrecognizedClientException"),
                        message("The security token included in the request is invalid."), ErrorKind.PROVIDER_AUTH, 403, null),
                new ClassifyCase("403 bad signature", 403, type("InvalidSignatureException"),
                        message("The request signature we calculated does not match the signature you provided."),
                        ErrorKind.PROVIDER_AUTH, 403, null),
                new ClassifyCase("404 unknown model", 404, type("ResourceNotFoundException"),
                        message("Could not resolve the foundation model from the provided model identifier."),
                        ErrorKind.PROVIDER_BAD_REQUEST, 404, null),
                new ClassifyCase("408 model timeout", 408, type("ModelTimeoutException"),
                        message("Model has timed out in processing the request."), ErrorKind.PROVIDER_TIMEOUT, 408, null),
                new ClassifyCase("424 model error", 424, type("ModelErrorException"),
                        message("The model returned an error."), ErrorKind.PROVIDER_ERROR, 424, null),
                new ClassifyCase("429 throttled", 429, type("ThrottlingException"),
                        message("Too many requests, please wait before trying again."), ErrorKind.PROVIDER_RATE_LIMITED, 429, null),
                new ClassifyCase("429 throttled with retry-after", 429,
                        Map.of("x-amzn-errortype", "ThrottlingException", "retry-after", "3"),
                        message("Too many tokens, please wait before trying again."),
                        ErrorKind.PROVIDER_RATE_LIMITED, 429, Duration.ofSeconds(3)),
                new ClassifyCase("429 model not ready", 429, type("ModelNotReadyException"),
                        message("Model is not ready to serve inference requests."), ErrorKind.PROVIDER_OVERLOADED, 429, null),
                new ClassifyCase("500 internal", 500, type("InternalServerException"),
                        message("The server encountered an internal error."), ErrorKind.PROVIDER_ERROR, 500, null),
                new ClassifyCase("503 unavailable", 503, type("ServiceUnavailableException"),
                        message("Service Unavailable"), ErrorKind.PROVIDER_OVERLOADED, 503, null),
                new ClassifyCase("503 untyped html", 503, Map.of(), "<html><body>Service Unavailable</body></html>",
                        ErrorKind.PROVIDER_OVERLOADED, 503, null),
                new ClassifyCase("502 untyped empty", 502, Map.of(), "", ErrorKind.PROVIDER_ERROR, 502, null),
                new ClassifyCase("302 is not an error status", 302, Map.of(), "", ErrorKind.PROVIDER_ERROR, 502, null));
    }

    /** The contract's request with its image inline: an image URL is the one thing in it Bedrock cannot take. */
    static ChatRequest bedrockRequest(boolean stream) {
        ChatRequest contract = canonicalRequest(stream);
        var messages = new ArrayList<Message>();
        for (Message message : contract.messages()) {
            var parts = new ArrayList<Part>();
            for (Part part : message.parts()) {
                parts.add(part instanceof Part.Image image ? new Part.Image(JPEG, image.detail()) : part);
            }
            messages.add(new Message(message.role(), parts, message.name()));
        }
        return new ChatRequest(contract.model(), messages, contract.sampling(), contract.tools(), contract.toolChoice(),
                contract.responseFormat(), stream, contract.includeUsage(), contract.user(), contract.extensions(),
                contract.dialect());
    }

    private static String header(UpstreamCall call, String name) {
        return call.headers().stream().filter(h -> h.name().equals(name)).map(Header::value).findFirst().orElse(null);
    }

    @Test
    void identifiesItself() {
        assertThat(adapter.type()).isEqualTo("bedrock");
    }

    /** The contract's request with its image inline: Bedrock cannot fetch images by URL. */
    @Override
    protected ChatRequest request(boolean stream) {
        return bedrockRequest(stream);
    }

    @Test
    void theContractRequestItselfIsRefusedForItsImageUrl() {
        assertThatThrownBy(() -> adapter.prepare(canonicalRequest(false), deployment()))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(e.error().param()).isEqualTo("messages[1].content[1]");
                    assertThat(e.error().message()).contains("cannot fetch images by URL");
                });
    }

    @Test
    void aimsAtTheRegionalEndpointWithEncodedModelId() {
        UpstreamCall call = adapter.prepare(bedrockRequest(false), deployment());
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.uri()).isEqualTo(URI.create(
                "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"));
        // The path the gateway sends is the raw path: the colon stays encoded on the wire.
        assertThat(call.uri().getRawPath()).isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
        assertThat(header(call, "content-type")).isEqualTo("application/json");
        assertThat(header(call, "accept")).isEqualTo("application/json");

        UpstreamCall stream = adapter.prepare(bedrockRequest(true), deployment());
        assertThat(stream.uri().getRawPath())
                .isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream");
        assertThat(header(stream, "accept")).isEqualTo("application/vnd.amazon.eventstream");
    }

    @Test
    void signsTheExactBodyForAFixedClock() throws Exception {
        UpstreamCall call = adapter.prepare(bedrockRequest(false), deployment());
        assertThat(call.headers()).extracting(Header::name).containsExactly(
                "content-type", "accept", "host", "x-amz-date", "x-amz-security-token", "authorization");
        assertThat(header(call, "host")).isEqualTo("bedrock-runtime.us-east-1.amazonaws.com");
        assertThat(header(call, "x-amz-date")).isEqualTo("20250310T120000Z");
        assertThat(header(call, "x-amz-security-token")).isEqualTo(SESSION_TOKEN);

        // What AWS recomputes: the wire path's segments encoded once more (%3A becomes %253A), the body's hash.
        String bodyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(call.body()));
        SigV4Signer.Signing signing = new SigV4Signer("bedrock", CLOCK)
                .signing("POST", call.uri(), List.of(), call.body(), credentials(true));
        assertThat(signing.canonicalRequest()).isEqualTo("POST\n"
                + "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse\n"
                + "\n"
                + "host:bedrock-runtime.us-east-1.amazonaws.com\n"
                + "x-amz-date:20250310T120000Z\n"
                + "x-amz-security-token:" + SESSION_TOKEN + "\n"
                + "\n"
                + "host;x-amz-date;x-amz-security-token\n"
                + bodyHash);
        assertThat(signing.stringToSign()).startsWith(
                "AWS4-HMAC-SHA256\n20250310T120000Z\n20250310/us-east-1/bedrock/aws4_request\n");
        // The algorithm is pinned by AWS's published vectors (SigV4SignerTest); this pins the request it signs.
        assertThat(header(call, "authorization")).isEqualTo(
                "AWS4-HMAC-SHA256 Credential=AKIDTESTBEDROCK00001/20250310/us-east-1/bedrock/aws4_request, "
                        + "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                        + "Signature=2469cd6eb3885f22634f024239aa1eb0e1b78b4a352237cde0f57794889353ff");
    }

    @Test
    void theSecretNeverLeavesTheSigner() {
        for (boolean stream : new boolean[] {false, true}) {
            UpstreamCall call = adapter.prepare(bedrockRequest(stream), deployment());
            assertThat(call.headers()).allSatisfy(h -> assertThat(h.value()).doesNotContain(SECRET_KEY));
            assertThat(call.toString()).doesNotContain(SECRET_KEY).doesNotContain(SESSION_TOKEN).doesNotContain(ACCESS_KEY);
            assertThat(new String(call.body(), StandardCharsets.UTF_8)).doesNotContain(SECRET_KEY);
        }
        assertThat(credentials(true).toString()).doesNotContain(SECRET_KEY).doesNotContain(SESSION_TOKEN);
    }

    @Test
    void longTermKeysSendNoSessionToken() {
        UpstreamCall call = adapter.prepare(bedrockRequest(false), deployment(MODEL, List.of(), credentials(false)));
        assertThat(header(call, "x-amz-security-token")).isNull();
        assertThat(header(call, "authorization")).contains("SignedHeaders=host;x-amz-date,");
    }

    @Test
    void extraProviderHeadersGoAlongAndXAmzOnesAreSigned() {
        var extra = List.of(new Header("x-proxy-token", "proxy-123"),
                new Header("X-Amzn-Bedrock-GuardrailIdentifier", "gr-1"), new Header("x-amz-trace", "t-1"));
        UpstreamCall call = adapter.prepare(bedrockRequest(false), deployment(MODEL, extra, credentials(true)));
        assertThat(call.headers()).containsAll(extra);
        assertThat(header(call, "authorization"))
                .contains("SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-trace,");
    }

    @Test
    void aProviderWithoutAwsCredentialsIsAGatewayError() {
        assertThatThrownBy(() -> adapter.prepare(bedrockRequest(false), deployment(MODEL, List.of(), null)))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.INTERNAL);
                    assertThat(e.error().message()).contains("bedrock-east");
                });
    }

    @Test
    void anArnModelIdIsOnePathSegment() {
        String arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0";
        UpstreamCall call = adapter.prepare(bedrockRequest(false), deployment(arn, List.of(), credentials(true)));
        assertThat(call.uri().getRawPath()).isEqualTo("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012"
                + "%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse");
    }

    @Test
    void parseTakesTheRequestIdFromItsHeader() {
        ChatResponse response = adapter.parse(new UpstreamReply(200,
                Map.of("x-amzn-requestid", "7f3c1d2e-0000-4a5b-8c9d-0e1f2a3b4c5d"), own("reply-text.json")));
        assertThat(response.id()).isEqualTo("7f3c1d2e-0000-4a5b-8c9d-0e1f2a3b4c5d");
        assertThat(response.created()).isEqualTo(CREATED);
    }

    @Test
    void parseRefusesGarbage() {
        for (String body : List.of("not json", "[]", "{\"output\":{}}")) {
            assertThatThrownBy(() -> adapter.parse(new UpstreamReply(200, Map.of(), body.getBytes(StandardCharsets.UTF_8))))
                    .as(body)
                    .isInstanceOfSatisfying(GatewayException.class,
                            e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.PROVIDER_ERROR));
        }
    }

    @Test
    void classifyKeepsTheProvidersMessageButNeverItsCredentialDetails() {
        GatewayError throttled = adapter.classify(new UpstreamReply(429, type("ThrottlingException"),
                message("Too many requests, please wait before trying again.").getBytes(StandardCharsets.UTF_8)));
        assertThat(throttled.message()).isEqualTo("Too many requests, please wait before trying again.");
        assertThat(throttled.retryable()).isTrue();
        GatewayError denied = adapter.classify(new UpstreamReply(403, type("AccessDeniedException"),
                message("User: arn:aws:iam::123456789012:user/gateway is not authorized").getBytes(StandardCharsets.UTF_8)));
        assertThat(denied.message()).doesNotContain("arn:aws").doesNotContain("123456789012")
                .isEqualTo("Amazon Bedrock refused the gateway's AWS credentials (HTTP 403).");
        GatewayError untyped = adapter.classify(new UpstreamReply(500, Map.of(), new byte[0]));
        assertThat(untyped.message()).isEqualTo("Amazon Bedrock returned HTTP 500.");
    }
}
