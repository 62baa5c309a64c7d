package dev.tollgate.bench.micro;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import dev.tollgate.server.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The canonical model's codecs of one API, each on the small exchange of {@link Api}'s fixtures: what a request
 * translated between dialects (an OpenAI client served by Anthropic, say) costs on each side. The client side
 * ({@link ClientDialect}) decodes the request and encodes the answer, whole or streamed; the upstream side
 * ({@link ProviderAdapter}) writes the provider's request and reads its reply.
 */
@State(Scope.Thread)
public class CodecBench extends MicroBench {
    /** The id the gateway gives a stream's chunks (the request id). */
    static final String RESPONSE_ID = "req_01JYB7MZ3C4V8E5XQK2N9TDRWA";

    @Param
    public Api api;

    private ClientDialect dialect;
    private ProviderAdapter adapter;
    private byte[] requestBody;
    private ChatRequest request;
    private Deployment deployment;
    private UpstreamReply reply;
    private ChatResponse response;
    private List<StreamEvent> streamed;

    @Setup
    public void setUp() {
        dialect = api.dialect();
        adapter = api.adapter();
        requestBody = api.request(BodySize.SMALL);
        request = dialect.decodeChat(requestBody);
        deployment = Fixtures.deployment(Fixtures.snapshot(), api.model());
        reply = new UpstreamReply(200, Map.of("content-type", "application/json"), api.reply());
        response = adapter.parse(reply);
        streamed = canonical(api);
    }

    /** Client bytes to the canonical request (every field validated, unknown ones kept as raw JSON). */
    @Benchmark
    public ChatRequest decodeRequest() {
        return dialect.decodeChat(requestBody);
    }

    /** The canonical request to the provider's call: URI, auth headers and body. */
    @Benchmark
    public UpstreamCall writeUpstreamRequest() {
        return adapter.prepare(request, deployment);
    }

    /** The provider's non-streamed reply to the canonical response. */
    @Benchmark
    public ChatResponse readUpstreamReply() {
        return adapter.parse(reply);
    }

    /** The canonical response to the client's JSON. */
    @Benchmark
    public byte[] encodeResponse() {
        return dialect.encodeChat(response);
    }

    /**
     * A whole streamed answer's canonical events to the client's SSE frames, with a fresh encoder as each stream
     * gets. Returns the bytes written.
     */
    @Benchmark
    public long encodeStream() {
        StreamEncoder encoder = dialect.streamEncoder(request, RESPONSE_ID);
        long bytes = 0;
        for (StreamEvent event : streamed) {
            bytes += encoder.encode(event).length;
        }
        return bytes + encoder.end().length;
    }

    /** The canonical events of the API's {@link Transcript}, decoded by its adapter once. */
    static List<StreamEvent> canonical(Api api) {
        StreamDecoder decoder = api.adapter().streamDecoder();
        List<StreamEvent> events = new ArrayList<>();
        try (var framer = new SseFramer(UnpooledByteBufAllocator.DEFAULT, Integer.MAX_VALUE)) {
            for (String text : api.transcript()) {
                ByteBuf read = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
                framer.feed(read, (raw, event) -> {
                    raw.release();
                    if (event != null) {
                        events.addAll(decoder.onEvent(event));
                    }
                });
                read.release();
            }
        }
        events.addAll(decoder.onComplete());
        return List.copyOf(events);
    }

    /** The decoded request, for checks. */
    ChatRequest request() {
        return request;
    }

    /** The events {@link #encodeStream} encodes, for checks. */
    List<StreamEvent> streamed() {
        return streamed;
    }
}
