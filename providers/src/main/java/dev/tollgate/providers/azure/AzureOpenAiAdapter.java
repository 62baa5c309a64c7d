package dev.tollgate.providers.azure;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.spi.EmbeddingsSupport;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.Passthrough;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.providers.openai.OpenAiAdapter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.regex.Pattern;

/**
 * Azure OpenAI through its deployment URLs: {@code {base_url}/openai/deployments/{deployment}/chat/completions} and
 * {@code .../embeddings}, each with {@code ?api-version={api_version}}, where {@code base_url} is the resource
 * endpoint ({@code https://{resource}.openai.azure.com}) and the deployment is the configured upstream model. The
 * wire format is OpenAI's, so this adapter composes an {@link OpenAiAdapter}: bodies, headers (the provider's auth
 * headers: {@code api-key}, or a bearer token with {@code auth_header: authorization}), reply parsing, stream
 * decoding (including Azure's leading prompt-filter chunk with no choices, which yields nothing), usage and error
 * classification (Azure's prompt filter, {@code code: content_filter}, is {@link ErrorKind#CONTENT_FILTERED}) are the
 * OpenAI adapter's; only the URL differs.
 *
 * <p>Azure's newer {@code /openai/v1} API needs no deployment URL or version: serve it with the {@code openai} type.
 *
 * <p>Stateless and thread-safe; never blocks, never sees a socket.
 */
public final class AzureOpenAiAdapter implements ProviderAdapter, EmbeddingsSupport, Passthrough {

    public static final String TYPE = "azure-openai";

    /** Azure deployment names: letters, digits, {@code -}, {@code _} and {@code .}; nothing that could bend the URL. */
    private static final Pattern DEPLOYMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final OpenAiAdapter openAi;

    /** {@code clock} dates HTTP-date {@code Retry-After} values. */
    public AzureOpenAiAdapter(Clock clock) {
        this.openAi = new OpenAiAdapter(requireNonNull(clock, "clock"));
    }

    public AzureOpenAiAdapter() {
        this(Clock.systemUTC());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String dialect() {
        return openAi.dialect();
    }

    @Override
    public UpstreamCall prepare(ChatRequest request, Deployment target) {
        return reaim(openAi.prepare(request, target), Operation.CHAT, target);
    }

    @Override
    public UpstreamCall forward(Operation operation, Deployment target) {
        return reaim(openAi.forward(operation, target), operation, target);
    }

    @Override
    public UpstreamCall prepareEmbeddings(EmbeddingRequest request, Deployment target) {
        return reaim(openAi.prepareEmbeddings(request, target), Operation.EMBEDDINGS, target);
    }

    @Override
    public ChatResponse parse(UpstreamReply reply) {
        return openAi.parse(reply);
    }

    @Override
    public Usage usage(UpstreamReply reply) {
        return openAi.usage(reply);
    }

    @Override
    public StreamDecoder streamDecoder() {
        return openAi.streamDecoder();
    }

    @Override
    public EmbeddingResponse parseEmbeddings(UpstreamReply reply) {
        return openAi.parseEmbeddings(reply);
    }

    /** The OpenAI classification: Azure's prompt filter ({@code code: content_filter}) is among its refusals. */
    @Override
    public GatewayError classify(UpstreamReply errorReply) {
        return openAi.classify(errorReply);
    }

    /** The same call (method, headers, body) sent to the deployment's URL instead of OpenAI's. */
    private static UpstreamCall reaim(UpstreamCall call, Operation operation, Deployment target) {
        String endpoint = switch (operation) {
            case CHAT -> "/chat/completions";
            case EMBEDDINGS -> "/embeddings";
            // The OpenAI adapter has already refused it; Azure has no token-counting endpoint either.
            case COUNT_TOKENS -> throw new IllegalArgumentException("Azure OpenAI cannot count tokens");
        };
        String deployment = target.upstreamModel();
        String version = target.provider().apiVersion();
        // Config validation requires both; a gap here is a gateway bug, named for the operator, not the client.
        if (!DEPLOYMENT.matcher(deployment).matches()) {
            throw new GatewayException(GatewayError.of(ErrorKind.INTERNAL, "The deployment's model is not a valid Azure deployment name."));
        }
        if (version == null || version.isBlank()) {
            throw new GatewayException(GatewayError.of(ErrorKind.INTERNAL, "The Azure OpenAI provider has no api_version."));
        }
        String path = "/openai/deployments/" + deployment + endpoint + "?api-version="
                + URLEncoder.encode(version, StandardCharsets.UTF_8);
        return new UpstreamCall(call.method(), target.provider().resolve(path), call.headers(), call.body());
    }
}
