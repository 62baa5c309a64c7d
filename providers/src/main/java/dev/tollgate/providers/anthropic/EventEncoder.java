package dev.tollgate.providers.anthropic;

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
import java.util.HashMap;
import java.util.Map;

/**
 * Writes canonical stream events as an Anthropic Messages stream ({@code event: <type>} and {@code data: <json>}
 * per event), the way Anthropic does: {@code message_start} (on {@link StreamEvent.Start}, or before the first
 * content), then content blocks one after another, each opened with {@code content_block_start}, filled with
 * {@code text_delta} or {@code input_json_delta} events and closed with {@code content_block_stop}, and at
 * {@link #end()} one {@code message_delta} with the stop reason and the final usage, then {@code message_stop}.
 *
 * <p>Text opens a text block; each tool call opens a tool_use block (the canonical tool index maps to the block
 * index). Usage is held until the end because other providers report it after they finish, and only the last report
 * counts: {@code message_delta} carries all four counts, which Anthropic's SDKs take over the {@code message_start}
 * ones. A fragment for a tool call whose block was already closed (calls streamed interleaved) is still sent with
 * that block's index, which Anthropic's SDKs accumulate by.
 *
 * <p>One instance per stream, used from one thread. After {@link #end()}, {@link #fail} or a
 * {@link StreamEvent.Failure} every call returns no bytes.
 */
final class EventEncoder implements StreamEncoder {

    private static final byte[] NOTHING = {};
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FRAME_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE_STOP = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final String id;
    private String model;
    private boolean started;
    private boolean closed;
    /** The index the next content block gets. */
    private int nextBlock;
    /** The open block's index, or -1. */
    private int openBlock = -1;
    private boolean openIsText;
    /** Canonical tool-call index to content block index. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private FinishReason finish;
    private Usage usage;

    EventEncoder(ChatRequest request, String responseId) {
        this.id = requireNonNull(responseId, "responseId");
        this.model = request.model();
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
                if (s.model() != null && !s.model().isEmpty()) {
                    model = s.model();
                }
                messageStart(out);
            }
            case StreamEvent.TextDelta t -> {
                if (t.text().isEmpty()) {
                    return NOTHING;
                }
                messageStart(out);
                if (openBlock < 0 || !openIsText) {
                    closeBlock(out);
                    openText(out);
                }
                delta(out, openBlock, "text_delta", "text", t.text());
            }
            case StreamEvent.ToolCallDelta d -> {
                messageStart(out);
                Integer block = toolBlocks.get(d.index());
                if (block == null) {
                    closeBlock(out);
                    block = openToolUse(out, d);
                }
                if (d.argumentsFragment() != null && !d.argumentsFragment().isEmpty()) {
                    delta(out, block, "input_json_delta", "partial_json", d.argumentsFragment());
                }
            }
            case StreamEvent.Finish f -> {
                messageStart(out);
                closeBlock(out);
                finish = f.reason();
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
        var out = new ByteArrayBuilder(256);
        messageStart(out);
        closeBlock(out);
        FinishReason reason = finish != null ? finish : toolBlocks.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS;
        frame(out, "message_delta", g -> {
            g.writeObjectFieldStart("delta");
            g.writeStringField("stop_reason", MessageCodec.stopReason(reason));
            g.writeNullField("stop_sequence");
            g.writeEndObject();
            g.writeFieldName("usage");
            if (usage != null) {
                UsageFields.of(usage).write(g);
            } else {
                // Nothing reported: output_tokens is the one count Anthropic's delta always has.
                g.writeStartObject();
                g.writeNumberField("output_tokens", 0);
                g.writeEndObject();
            }
        });
        out.write(MESSAGE_STOP);
        return out.toByteArray();
    }

    @Override
    public byte[] fail(GatewayError error) {
        if (closed) {
            return NOTHING;
        }
        closed = true;
        return ErrorTypes.event(error, null);
    }

    /** The message_start event, once: usage so far (zeros when none was reported yet). */
    private void messageStart(ByteArrayBuilder out) {
        if (started) {
            return;
        }
        started = true;
        UsageFields counts = usage == null ? UsageFields.NONE : UsageFields.of(usage);
        frame(out, "message_start", g -> {
            g.writeObjectFieldStart("message");
            g.writeStringField("id", id);
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", model);
            g.writeArrayFieldStart("content");
            g.writeEndArray();
            g.writeNullField("stop_reason");
            g.writeNullField("stop_sequence");
            g.writeFieldName("usage");
            counts.write(g);
            g.writeEndObject();
        });
    }

    private void openText(ByteArrayBuilder out) {
        int index = nextBlock++;
        frame(out, "content_block_start", g -> {
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("content_block");
            g.writeStringField("type", "text");
            g.writeStringField("text", "");
            g.writeEndObject();
        });
        openBlock = index;
        openIsText = true;
    }

    /** Opens the tool_use block of a call first seen; a call whose id never came gets one made from the response id. */
    private int openToolUse(ByteArrayBuilder out, StreamEvent.ToolCallDelta d) {
        int index = nextBlock++;
        String callId = d.id() != null ? d.id() : "toolu_" + id + "_" + d.index();
        String name = d.name() != null ? d.name() : "";
        frame(out, "content_block_start", g -> {
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("content_block");
            g.writeStringField("type", "tool_use");
            g.writeStringField("id", callId);
            g.writeStringField("name", name);
            g.writeObjectFieldStart("input");
            g.writeEndObject();
            g.writeEndObject();
        });
        toolBlocks.put(d.index(), index);
        openBlock = index;
        openIsText = false;
        return index;
    }

    private void closeBlock(ByteArrayBuilder out) {
        if (openBlock < 0) {
            return;
        }
        int index = openBlock;
        frame(out, "content_block_stop", g -> g.writeNumberField("index", index));
        openBlock = -1;
    }

    private static void delta(ByteArrayBuilder out, int index, String type, String field, String value) {
        frame(out, "content_block_delta", g -> {
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("delta");
            g.writeStringField("type", type);
            g.writeStringField(field, value);
            g.writeEndObject();
        });
    }

    /** Writes the members of an event's data object after its {@code type}. */
    @FunctionalInterface
    private interface Members {
        void write(JsonGenerator g) throws IOException;
    }

    /** One SSE frame: {@code event: type}, {@code data: {"type":type,...}}, blank line. */
    private static void frame(ByteArrayBuilder out, String type, Members members) {
        out.write(EVENT);
        out.write(type.getBytes(StandardCharsets.US_ASCII));
        out.write(DATA);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            members.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        out.write(FRAME_END);
    }
}
