package dev.tollgate.providers.openai;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes canonical stream events as OpenAI {@code chat.completion.chunk} server-sent events, the way OpenAI does: a
 * role chunk first, one chunk per delta, a finish chunk, then (only when the client asked with
 * {@code stream_options.include_usage}) a usage chunk with {@code "choices":[]} before {@code data: [DONE]}; in that
 * mode every other chunk carries {@code "usage":null}. Usage is held until {@link #end()} because other providers
 * report it before they finish, and only the last report counts.
 *
 * <p>One instance per stream, used from one thread. After {@link #end()}, {@link #fail} or a
 * {@link StreamEvent.Failure} every call returns no bytes.
 */
final class ChunkEncoder implements StreamEncoder {

    private static final byte[] NOTHING = {};
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FRAME_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final String id;
    private final boolean includeUsage;
    private String model;
    private long created;
    private boolean started;
    private boolean closed;
    private Usage usage;

    ChunkEncoder(ChatRequest request, String responseId) {
        this.id = requireNonNull(responseId, "responseId");
        this.model = request.model();
        this.includeUsage = request.includeUsage();
    }

    @Override
    public byte[] encode(StreamEvent event) {
        if (closed) {
            return NOTHING;
        }
        var out = new ByteArrayBuilder(256);
        switch (event) {
            case StreamEvent.Start s -> {
                if (started) {
                    return NOTHING;
                }
                if (s.model() != null) {
                    model = s.model();
                }
                created = s.created();
                roleChunk(out);
            }
            case StreamEvent.TextDelta t -> {
                roleChunk(out);
                chunk(out, t.index(), event, null);
            }
            case StreamEvent.ToolCallDelta d -> {
                roleChunk(out);
                chunk(out, 0, event, null);
            }
            case StreamEvent.Finish f -> {
                roleChunk(out);
                chunk(out, 0, null, f.reason());
            }
            case StreamEvent.UsageUpdate u -> {
                usage = u.usage();
                return NOTHING;
            }
            case StreamEvent.Failure f -> {
                return fail(f.error());
            }
        }
        return out.toByteArray();
    }

    @Override
    public byte[] end() {
        if (closed) {
            return NOTHING;
        }
        closed = true;
        if (!includeUsage || usage == null) {
            return DONE;
        }
        var out = new ByteArrayBuilder(512);
        out.write(DATA);
        try (JsonGenerator g = Json.generator(out)) {
            header(g);
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            g.writeFieldName("usage");
            UsageJson.write(g, usage);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        out.write(FRAME_END);
        out.write(DONE);
        return out.toByteArray();
    }

    @Override
    public byte[] fail(GatewayError error) {
        if (closed) {
            return NOTHING;
        }
        closed = true;
        var out = new ByteArrayBuilder(256);
        out.write(DATA);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            ErrorTable.writeErrorField(g, error, null, false);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        out.write(FRAME_END);
        return out.toByteArray();
    }

    /** The first chunk, once: OpenAI opens every stream with the assistant role and empty content. */
    private void roleChunk(ByteArrayBuilder out) {
        if (started) {
            return;
        }
        started = true;
        chunk(out, 0, null, null);
    }

    /** One chunk frame: {@code delta} from the event (null means the role delta, or an empty one when finishing). */
    private void chunk(ByteArrayBuilder out, int index, StreamEvent delta, FinishReason finish) {
        out.write(DATA);
        try (JsonGenerator g = Json.generator(out)) {
            header(g);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("delta");
            switch (delta) {
                case StreamEvent.TextDelta t -> g.writeStringField("content", t.text());
                case StreamEvent.ToolCallDelta d -> writeToolCall(g, d);
                case null -> {
                    if (finish == null) {
                        g.writeStringField("role", "assistant");
                        g.writeStringField("content", "");
                    }
                }
                default -> throw new IllegalArgumentException("not a delta: " + delta);
            }
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finish == null ? null : ChatResponseCodec.wireName(finish));
            g.writeEndObject();
            g.writeEndArray();
            if (includeUsage) {
                g.writeNullField("usage");
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        out.write(FRAME_END);
    }

    private static void writeToolCall(JsonGenerator g, StreamEvent.ToolCallDelta d) throws IOException {
        g.writeArrayFieldStart("tool_calls");
        g.writeStartObject();
        g.writeNumberField("index", d.index());
        if (d.id() != null) {
            g.writeStringField("id", d.id());
            g.writeStringField("type", "function");
        }
        g.writeObjectFieldStart("function");
        if (d.name() != null) {
            g.writeStringField("name", d.name());
        }
        if (d.argumentsFragment() != null) {
            g.writeStringField("arguments", d.argumentsFragment());
        } else if (d.id() != null) {
            // OpenAI's opening piece of a call always has arguments, empty until the model writes some.
            g.writeStringField("arguments", "");
        }
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndArray();
    }

    /** Opens the chunk object and writes the fields every chunk shares. */
    private void header(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "chat.completion.chunk");
        g.writeNumberField("created", created);
        g.writeStringField("model", model);
    }
}
