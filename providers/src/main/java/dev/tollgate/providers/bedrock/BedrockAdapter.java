package dev.tollgate.providers.bedrock;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.routing.AwsCredentials;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.spi.EmbeddingsSupport;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Amazon Bedrock through its model-agnostic Converse API: {@code POST /model/{modelId}/converse} and
 * {@code /converse-stream} (a binary {@code application/vnd.amazon.eventstream} body, which the gateway's
 * event-stream framer cuts into events for {@link #streamDecoder()}), and embeddings through
 * {@code POST /model/{modelId}/invoke}. The model id is URL-encoded as one path segment ({@code :} becomes
 * {@code %3A}). Every call is signed with AWS Signature Version 4 for service {@code bedrock} over the exact body,
 * with the provider's {@link Provider#aws()} credentials; the provider's extra headers go along, those named
 * {@code x-amz-*} signed too. What Converse cannot express is documented in {@code docs/providers/bedrock.md}.
 *
 * <p>Stateless and thread-safe; never blocks, never sees a socket. The clock dates signatures and stamps responses
 * ({@code created}), which Converse does not.
 */
public final class BedrockAdapter implements ProviderAdapter, EmbeddingsSupport {

    public static final String TYPE = "bedrock";

    /** The content type of ConverseStream replies, which the relay must frame as an AWS event stream. */
    public static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    private static final Header JSON_BODY = new Header("content-type", "application/json");
    private static final Header JSON_REPLY = new Header("accept", "application/json");
    private static final Header STREAM_REPLY = new Header("accept", EVENT_STREAM);

    private final Clock clock;
    private final SigV4Signer signer;

    public BedrockAdapter(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
        this.signer = new SigV4Signer("bedrock", clock);
    }

    public BedrockAdapter() {
        this(Clock.systemUTC());
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The Converse (or ConverseStream, for a streamed request) call. Throws {@link GatewayException} with a 400
     * naming the field Converse cannot honour.
     */
    @Override
    public UpstreamCall prepare(ChatRequest request, Deployment target) {
        byte[] body = ConverseRequestWriter.write(request);
        String action = request.stream() ? "/converse-stream" : "/converse";
        return call(target, action, body, request.stream() ? STREAM_REPLY : JSON_REPLY);
    }

    @Override
    public UpstreamCall prepareEmbeddings(EmbeddingRequest request, Deployment target) {
        return call(target, "/invoke", EmbeddingsCodec.write(request, target.upstreamModel()), JSON_REPLY);
    }

    /** Method, URI and headers, the signature computed last over the finished body. */
    private UpstreamCall call(Deployment target, String action, byte[] body, Header accept) {
        Provider provider = target.provider();
        AwsCredentials aws = provider.aws();
        if (aws == null) {
            // Config validation requires credentials for this type; reaching here is a wiring bug.
            throw new GatewayException(GatewayError.of(ErrorKind.INTERNAL,
                    "Provider '" + provider.id() + "' has no AWS credentials to sign Amazon Bedrock requests with."));
        }
        URI uri = provider.resolve("/model/" + SigV4Signer.encode(target.upstreamModel()) + action);
        var signed = new ArrayList<Header>();
        for (Header header : provider.headers()) {
            // AWS wants every x-amz-* header it sees signed; other extras (a proxy's token) need not be.
            if (header.name().toLowerCase(Locale.ROOT).startsWith("x-amz-")) {
                signed.add(header);
            }
        }
        List<Header> auth = signer.sign("POST", uri, signed, body, aws);
        var headers = new ArrayList<Header>(provider.headers().size() + auth.size() + 2);
        headers.addAll(provider.headers());
        headers.add(JSON_BODY);
        headers.add(accept);
        headers.addAll(auth);
        return new UpstreamCall("POST", uri, headers, body);
    }

    /** A 2xx Converse reply; usage includes cache reads and writes in the input count (see {@code Usage}). */
    @Override
    public ChatResponse parse(UpstreamReply reply) {
        long created = clock.instant().getEpochSecond();
        return ConverseResponseReader.read(reply.body(), reply.header("x-amzn-requestid"), created);
    }

    @Override
    public StreamDecoder streamDecoder() {
        return new ConverseStreamDecoder(clock.instant().getEpochSecond());
    }

    /**
     * By Bedrock's error type ({@code x-amzn-errortype}), then status: validation errors are the provider refusing
     * the request (context too long when its message says so), access-denied and unrecognised-client are refusals
     * of the gateway's credentials, throttling is a rate limit, model timeouts are timeouts, unavailable and
     * not-ready models are overload, the rest provider errors.
     */
    @Override
    public GatewayError classify(UpstreamReply errorReply) {
        return BedrockErrors.classify(errorReply);
    }

    /** Titan's or Cohere's reply; Cohere's usage is an estimate, marked so. */
    @Override
    public EmbeddingResponse parseEmbeddings(UpstreamReply reply) {
        return EmbeddingsCodec.read(reply.body());
    }
}
