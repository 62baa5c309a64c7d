package dev.tollgate.providers.gemini;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.spi.EmbeddingsSupport;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.providers.wire.JsonPost;
import java.time.Clock;
import java.util.regex.Pattern;

/**
 * The Google AI Gemini API ({@code https://generativelanguage.googleapis.com/v1beta}). Calls go to
 * {@code {base_url}/models/{model}:generateContent}, {@code :streamGenerateContent?alt=sse} and
 * {@code :batchEmbedContents}, authenticated by the provider's auth headers (the key in {@code x-goog-api-key}):
 * never by a {@code key=} query parameter, because URLs end up in logs. A deployment's model may be a bare name
 * ({@code gemini-2.5-flash}) or a resource path ({@code models/gemini-2.5-flash}, {@code tunedModels/my-model}).
 *
 * <p>Gemini speaks no client dialect, so every request is translated: there is no passthrough. How each canonical
 * field, extension and reply field maps is documented on the package's classes and in
 * {@code docs/providers/gemini.md}.
 *
 * <p>Stateless and thread-safe; never blocks, never sees a socket. The clock dates responses (Gemini dates
 * nothing) and HTTP-date {@code Retry-After} values.
 */
public final class GeminiAdapter implements ProviderAdapter, EmbeddingsSupport {

    public static final String TYPE = "gemini";

    /** Resource names as Google writes them; anything else could smuggle a path or query into the URL. */
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");

    private final Clock clock;

    public GeminiAdapter(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    public GeminiAdapter() {
        this(Clock.systemUTC());
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code GenerateContentRequest} for {@code request}; streamed requests go to
     * {@code streamGenerateContent?alt=sse}, which always reports usage. Throws a
     * {@link GatewayException} (400, naming the field) for what Gemini cannot express.
     */
    @Override
    public UpstreamCall prepare(ChatRequest request, Deployment target) {
        String method = request.stream() ? ":streamGenerateContent?alt=sse" : ":generateContent";
        return JsonPost.to(target, "/" + modelPath(target) + method, GeminiRequestWriter.write(request));
    }

    /** A 2xx reply: the first candidate. A blocked prompt throws {@link ErrorKind#CONTENT_FILTERED}. */
    @Override
    public ChatResponse parse(UpstreamReply reply) {
        return GeminiResponseReader.read(reply.body(), clock.instant().getEpochSecond());
    }

    @Override
    public StreamDecoder streamDecoder() {
        return new GeminiStreamDecoder(clock.instant().getEpochSecond());
    }

    @Override
    public GatewayError classify(UpstreamReply errorReply) {
        return GeminiErrors.classify(errorReply, clock.instant());
    }

    @Override
    public UpstreamCall prepareEmbeddings(EmbeddingRequest request, Deployment target) {
        String model = modelPath(target);
        return JsonPost.to(target, "/" + model + ":batchEmbedContents", GeminiEmbeddings.write(request, model));
    }

    /**
     * Vectors in input order. Gemini reports neither usage nor the model here: the response's usage is
     * {@link dev.tollgate.core.model.Usage#UNKNOWN} and its model empty.
     */
    @Override
    public EmbeddingResponse parseEmbeddings(UpstreamReply reply) {
        return GeminiEmbeddings.read(reply.body());
    }

    /** {@code models/<name>} for a bare name, the configured path otherwise. */
    static String modelPath(Deployment target) {
        String model = target.upstreamModel();
        if (!MODEL.matcher(model).matches()) {
            // Config validation should have caught it; the deployment id names it for the operator, never the client.
            throw new GatewayException(GatewayError.of(ErrorKind.INTERNAL, "The deployment's model is not a valid Gemini model name."));
        }
        return model.indexOf('/') < 0 ? "models/" + model : model;
    }
}
