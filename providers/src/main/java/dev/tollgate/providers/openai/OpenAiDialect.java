package dev.tollgate.providers.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.EmbeddingsDialect;
import dev.tollgate.core.spi.ListedModel;
import dev.tollgate.core.spi.Operation;
import dev.tollgate.core.spi.PromptRequest;
import dev.tollgate.core.spi.PromptResolver;
import dev.tollgate.core.spi.PromptedBody;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.providers.wire.Json;
import dev.tollgate.providers.wire.PromptMerge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;

/**
 * The OpenAI Chat Completions and Embeddings API as clients speak it. Decoding streams through the body without a
 * tree, validates it the way OpenAI does (a 400 naming the field, e.g. {@code messages[3].role}) and keeps every
 * top-level field it has no slot for in {@link ChatRequest#extensions()}, byte for byte. Nesting deeper than 64
 * levels and more than 10 000 messages are refused before they cost memory.
 *
 * <p>Stateless and thread-safe; never blocks. Stream encoders are per stream and single-threaded.
 */
public final class OpenAiDialect implements ClientDialect, EmbeddingsDialect {

    public static final String ID = "openai";

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FRAME_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String id() {
        return ID;
    }

    @Override
    public RequestEnvelope envelope(byte[] body, Operation operation) {
        return OpenAiEnvelope.scan(body, body.length, operation);
    }

    /** See {@link PromptMerging} for where the prompt goes in this dialect's body. */
    @Override
    public PromptedBody mergePrompt(byte[] body, Operation operation, PromptRequest headers,
                                    PromptResolver resolver) {
        return PromptMerge.apply(body, operation, headers, resolver, WireJson.MALFORMED, PromptMerging.INSTANCE);
    }

    @Override
    public ChatRequest decodeChat(byte[] body) {
        return ChatRequestReader.read(body);
    }

    @Override
    public byte[] encodeChat(ChatResponse response) {
        return ChatResponseCodec.write(response);
    }

    /**
     * Chunks for one stream; {@code responseId} is every chunk's {@code id}. Usage is sent only when the request
     * asked for it ({@link ChatRequest#includeUsage()}).
     */
    @Override
    public StreamEncoder streamEncoder(ChatRequest request, String responseId) {
        return new ChunkEncoder(request, responseId);
    }

    @Override
    public EmbeddingRequest decodeEmbeddings(byte[] body) {
        return EmbeddingsRequestCodec.read(body);
    }

    /**
     * The list in the encoding the client asked for ({@link EmbeddingRequest#encodingFormat()}): {@code base64} gives
     * each vector as little-endian float32 bytes in Base64, as OpenAI does; null or {@code float} gives arrays.
     */
    @Override
    public byte[] encodeEmbeddings(EmbeddingResponse response, String encodingFormat) {
        return EmbeddingsResponseCodec.write(response, "base64".equals(encodingFormat));
    }

    /** {@code {"error":{"message","type","param","code","request_id"}}}; the error's own code wins over the kind's. */
    @Override
    public byte[] encodeError(GatewayError error, String requestId) {
        return ErrorTable.encode(error, requestId);
    }

    /** None: OpenAI's chat and embeddings APIs have no opt-in headers a relay must carry. */
    @Override
    public Set<String> passthroughHeaders() {
        return Set.of();
    }

    /** {@code data: {"error":{...}}} and a blank line: what OpenAI sends when a stream fails part-way. */
    @Override
    public byte[] encodeStreamError(GatewayError error, String requestId) {
        byte[] json = ErrorTable.encode(error, requestId);
        byte[] out = new byte[DATA.length + json.length + FRAME_END.length];
        System.arraycopy(DATA, 0, out, 0, DATA.length);
        System.arraycopy(json, 0, out, DATA.length, json.length);
        System.arraycopy(FRAME_END, 0, out, DATA.length + json.length, FRAME_END.length);
        return out;
    }

    /** {@code {"object":"list","data":[{"id","object":"model","created":0,"owned_by":"tollgate"}]}}. */
    @Override
    public byte[] encodeModelList(Collection<ListedModel> models) {
        var out = new ByteArrayBuilder(64 + models.size() * 80);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (ListedModel model : models) {
                g.writeStartObject();
                g.writeStringField("id", model.name());
                g.writeStringField("object", "model");
                g.writeNumberField("created", 0);
                g.writeStringField("owned_by", "tollgate");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }
}
