package dev.tollgate.providers.anthropic;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.spi.Header;
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
 * Upstreams that speak Anthropic's Messages API. Calls go to {@code {base_url}/v1/messages} (and
 * {@code /v1/messages/count_tokens} for a forwarded count) with the provider's auth headers (config puts the key in
 * {@code x-api-key}), {@code anthropic-version} ({@link #DEFAULT_VERSION} unless the provider names one) and a JSON
 * content type. Canonical requests are written by {@link MessagesRequestWriter}, whose Javadoc lists what is mapped,
 * dropped and refused.
 *
 * <p>Stateless and thread-safe; never blocks, never sees a socket. The clock dates HTTP-date {@code retry-after}
 * values and stands in for the creation time Anthropic does not report.
 */
public final class AnthropicAdapter implements ProviderAdapter, Passthrough {

    public static final String TYPE = "anthropic";

    /** The API version requests name when the provider config does not. */
    public static final String DEFAULT_VERSION = "2023-06-01";

    private final Clock clock;

    public AnthropicAdapter(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    public AnthropicAdapter() {
        this(Clock.systemUTC());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String dialect() {
        return AnthropicDialect.ID;
    }

    /** Throws {@link dev.tollgate.core.model.GatewayException} (400) for what Anthropic cannot honour. */
    @Override
    public UpstreamCall prepare(ChatRequest request, Deployment target) {
        return call(Operation.CHAT, target, MessagesRequestWriter.write(request, target.upstreamModel()));
    }

    @Override
    public int defaultMaxTokens() {
        return MessagesRequestWriter.DEFAULT_MAX_TOKENS;
    }

    /**
     * Chat to {@code /v1/messages}, count_tokens to {@code /v1/messages/count_tokens}. Embeddings are an
     * {@link IllegalArgumentException}: Anthropic has none, and no Anthropic-dialect route asks for them.
     */
    @Override
    public UpstreamCall forward(Operation operation, Deployment target) {
        return call(operation, target, null);
    }

    private static UpstreamCall call(Operation operation, Deployment target, byte[] body) {
        String path = switch (operation) {
            case CHAT -> "/v1/messages";
            case COUNT_TOKENS -> "/v1/messages/count_tokens";
            case EMBEDDINGS -> throw new IllegalArgumentException("the Anthropic API has no embeddings endpoint");
        };
        String version = target.provider().apiVersion();
        var versionHeader = new Header("anthropic-version", version != null ? version : DEFAULT_VERSION);
        return JsonPost.to(target, path, body, versionHeader);
    }

    /** A 2xx message; usage as reported (cache reads and writes summed into the input count), unknown when absent. */
    @Override
    public ChatResponse parse(UpstreamReply reply) {
        return MessageCodec.read(reply.body(), clock.instant().getEpochSecond());
    }

    /**
     * Usage without decoding the rest: the same-dialect relay forwards the reply's bytes as they are. A
     * {@code count_tokens} answer has none, so {@link Usage#UNKNOWN}.
     */
    @Override
    public Usage usage(UpstreamReply reply) {
        return TopLevelScan.member(() -> Json.FACTORY.createParser(reply.body()), "usage", Usage.UNKNOWN,
                usage -> UsageFields.NONE.merge(usage).toUsage());
    }

    @Override
    public StreamDecoder streamDecoder() {
        return new EventDecoder(clock.instant().getEpochSecond());
    }

    /** See {@link UpstreamErrors#classify}; {@code retry-after} becomes {@link GatewayError#retryAfter()}. */
    @Override
    public GatewayError classify(UpstreamReply errorReply) {
        return UpstreamErrors.classify(errorReply, clock.instant());
    }
}
