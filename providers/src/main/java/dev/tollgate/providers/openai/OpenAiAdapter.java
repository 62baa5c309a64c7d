package dev.tollgate.providers.openai;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.spi.EmbeddingsSupport;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.Passthrough;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.JsonPost;
import dev.tollgate.providers.wire.TopLevelScan;
import java.time.Clock;

/**
 * Upstreams that speak the OpenAI API: OpenAI itself and the many compatible servers (vLLM, Ollama, LM Studio,
 * the built-in mock). Calls go to {@code {base_url}/chat/completions} and {@code {base_url}/embeddings} with the
 * provider's auth headers. A streamed call always asks for usage ({@code stream_options.include_usage}) so spend can
 * be settled; the relay removes it for clients that did not ask.
 *
 * <p>Stateless and thread-safe; never blocks, never sees a socket. The clock only dates HTTP-date
 * {@code Retry-After} values.
 */
public final class OpenAiAdapter implements ProviderAdapter, EmbeddingsSupport, Passthrough {

    public static final String TYPE = "openai";

    private final Clock clock;

    public OpenAiAdapter(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    public OpenAiAdapter() {
        this(Clock.systemUTC());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String dialect() {
        return OpenAiDialect.ID;
    }

    @Override
    public UpstreamCall prepare(ChatRequest request, Deployment target) {
        return call(Operation.CHAT, target, ChatRequestWriter.write(request, target.upstreamModel()));
    }

    @Override
    public UpstreamCall forward(Operation operation, Deployment target) {
        return call(operation, target, null);
    }

    private static UpstreamCall call(Operation operation, Deployment target, byte[] body) {
        String path = switch (operation) {
            case CHAT -> "/chat/completions";
            case EMBEDDINGS -> "/embeddings";
            // Only reachable by a dialect that has the route; the OpenAI API has no token-counting endpoint.
            case COUNT_TOKENS -> throw new IllegalArgumentException("the OpenAI API cannot count tokens");
        };
        return JsonPost.to(target, path, body);
    }

    /** A 2xx completion; usage as reported (an explicit zero stays a reported zero), unknown when absent. */
    @Override
    public ChatResponse parse(UpstreamReply reply) {
        return ChatResponseCodec.read(reply.body());
    }

    /** Usage without decoding the rest: the same-dialect relay forwards the reply's bytes as they are. */
    @Override
    public Usage usage(UpstreamReply reply) {
        byte[] body = reply.body();
        return TopLevelScan.member(() -> Json.parser(body, body.length), "usage", Usage.UNKNOWN, UsageJson::read);
    }

    @Override
    public StreamDecoder streamDecoder() {
        return new ChunkDecoder();
    }

    /**
     * 400/404/422 are the provider refusing the request ({@code context_length_exceeded} is its own kind), 401/403
     * its refusing the gateway's key, 408/504 timeouts, 429 rate limits, 503/529 overload, other 5xx errors.
     * The upstream status is kept; {@code Retry-After} (seconds or HTTP date) and {@code retry-after-ms} become
     * {@link GatewayError#retryAfter()}.
     */
    @Override
    public GatewayError classify(UpstreamReply errorReply) {
        return UpstreamErrorClassifier.classify(errorReply, clock.instant());
    }

    @Override
    public UpstreamCall prepareEmbeddings(EmbeddingRequest request, Deployment target) {
        return call(Operation.EMBEDDINGS, target, EmbeddingsRequestCodec.write(request, target.upstreamModel()));
    }

    /** Vectors in input order, read from float arrays or base64 alike. */
    @Override
    public EmbeddingResponse parseEmbeddings(UpstreamReply reply) {
        return EmbeddingsResponseCodec.read(reply.body());
    }
}
