package dev.tollgate.server.exchange;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.ClientDialect;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.providers.openai.OpenAiChunks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * How a streamed reply reaches the client: the upstream's own bytes ({@link Forward}, when both sides speak the
 * same dialect) or the client dialect's encoding of the decoded events ({@link Encode}). Single-threaded.
 */
sealed interface Rendering {

    /**
     * The bytes to send for one upstream event, or null for none. Owns {@code raw} (releases it or returns it).
     *
     * @param event the parsed event, null for a block without one (a comment)
     * @param decoded what the provider's decoder made of it, failures excluded (the relay handles those)
     */
    ByteBuf render(ByteBuf raw, SseEvent event, List<StreamEvent> decoded);

    /** The bytes that end a clean stream, or null; {@code usage} is the final usage, estimated if none came. */
    ByteBuf end(Usage usage);

    /** The in-band error of a stream that fails after it was committed; nothing follows it. */
    ByteBuf fail(GatewayError error, String requestId);

    /** Same dialect both sides: forward the upstream's bytes, minus what only the gateway asked for. */
    record Forward(ClientDialect dialect, boolean clientWantsUsage) implements Rendering {
        @Override
        public ByteBuf render(ByteBuf raw, SseEvent event, List<StreamEvent> decoded) {
            if (clientWantsUsage || event == null) {
                return raw;
            }
            if (usageOnly(decoded)) {
                raw.release(); // the usage-only event the gateway's request added
                return null;
            }
            return withoutNullUsage(raw);
        }

        private static boolean usageOnly(List<StreamEvent> decoded) {
            for (StreamEvent e : decoded) {
                if (!(e instanceof StreamEvent.UsageUpdate)) {
                    return false;
                }
            }
            return !decoded.isEmpty();
        }

        @Override
        public ByteBuf end(Usage usage) {
            return null; // the upstream's own terminal event was forwarded
        }

        @Override
        public ByteBuf fail(GatewayError error, String requestId) {
            return Unpooled.wrappedBuffer(dialect.encodeStreamError(error, requestId));
        }

        /** The event without the {@code ,"usage":null} the upstream adds to every chunk once usage is asked for. */
        private static ByteBuf withoutNullUsage(ByteBuf raw) {
            int cut = OpenAiChunks.nullUsageSuffixStart(ByteBufUtil.getBytes(raw));
            if (cut < 0) {
                return raw;
            }
            int resume = cut + OpenAiChunks.NULL_USAGE.length;
            ByteBuf out = Unpooled.wrappedBuffer(raw.retainedSlice(raw.readerIndex(), cut),
                    raw.retainedSlice(raw.readerIndex() + resume, raw.readableBytes() - resume));
            raw.release();
            return out;
        }
    }

    /** Different dialects: the client's dialect encodes each decoded event. */
    final class Encode implements Rendering {
        private final StreamEncoder encoder;
        private final String deploymentModel;
        private boolean usageSeen;

        /** @param deploymentModel named as the answering model when the provider's stream names none */
        Encode(StreamEncoder encoder, String deploymentModel) {
            this.encoder = encoder;
            this.deploymentModel = deploymentModel;
        }

        @Override
        public ByteBuf render(ByteBuf raw, SseEvent event, List<StreamEvent> decoded) {
            raw.release();
            ByteBuf out = null;
            for (StreamEvent e : decoded) {
                usageSeen |= e instanceof StreamEvent.UsageUpdate;
                if (e instanceof StreamEvent.Start s && (s.model() == null || s.model().isEmpty())) {
                    e = new StreamEvent.Start(s.id(), deploymentModel, s.created());
                }
                out = append(out, encoder.encode(e));
            }
            return out;
        }

        @Override
        public ByteBuf end(Usage usage) {
            ByteBuf out = null;
            if (!usageSeen && usage != Usage.UNKNOWN) {
                // The provider reported none: a client that asked for usage gets the gateway's estimate (its
                // dialect has no way to say so; the gateway's own records mark it as estimated).
                out = append(out, encoder.encode(new StreamEvent.UsageUpdate(usage)));
            }
            return append(out, encoder.end());
        }

        /** The encoder's own error event: it knows which of its blocks and messages are open (the request id is in
         * the response's {@code x-request-id} header). */
        @Override
        public ByteBuf fail(GatewayError error, String requestId) {
            return Unpooled.wrappedBuffer(encoder.fail(error));
        }

        private static ByteBuf append(ByteBuf out, byte[] bytes) {
            if (bytes.length == 0) {
                return out;
            }
            return out == null ? Unpooled.wrappedBuffer(bytes) : Unpooled.wrappedBuffer(out, Unpooled.wrappedBuffer(bytes));
        }
    }
}
