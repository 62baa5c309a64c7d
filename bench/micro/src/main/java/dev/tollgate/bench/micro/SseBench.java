package dev.tollgate.bench.micro;

import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.server.sse.EventFramer;
import dev.tollgate.server.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One whole streamed answer ({@link Transcript}: {@value Transcript#DELTAS} text deltas and the API's framing events)
 * read the way the gateway reads an upstream stream, per operation: a fresh {@link SseFramer} on the default Netty
 * allocator (what the exchange's channel uses) fed one direct buffer per event, as an upstream that paces its events
 * delivers them. {@link #frame} cuts the events only; {@link #frameAndDecode} also runs the provider's
 * {@link StreamDecoder} on each, and reads the canonical events the way the stream relay does (text, usage, finish).
 * Divide by the number of events for a per-event cost.
 */
@State(Scope.Thread)
public class SseBench extends MicroBench {
    /** The exchange's cap on one event ({@code ChatExchange.MAX_EVENT_BYTES}): never reached here. */
    private static final int MAX_EVENT_BYTES = 8 << 20;

    @Param
    public Api api;

    private final List<ByteBuf> reads = new ArrayList<>();

    @Setup
    public void setUp() {
        for (String event : api.transcript()) {
            byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
            reads.add(ByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes));
        }
    }

    @TearDown
    public void tearDown() {
        reads.forEach(ByteBuf::release);
        reads.clear();
    }

    /** The number of events the transcript has; what {@link #frame} must count. */
    int events() {
        return reads.size();
    }

    /** Returns the number of events cut. */
    @Benchmark
    public int frame() {
        var counter = new Counting();
        feed(counter);
        return counter.events;
    }

    /** Returns what the relay learnt from the canonical events. */
    @Benchmark
    public Relayed frameAndDecode() {
        var relayed = new Relayed(api.adapter().streamDecoder());
        feed(relayed);
        relayed.complete();
        return relayed;
    }

    private void feed(EventFramer.Sink sink) {
        try (var framer = new SseFramer(ByteBufAllocator.DEFAULT, MAX_EVENT_BYTES)) {
            for (ByteBuf read : reads) {
                framer.feed(read, sink);
            }
            framer.finish(sink);
        }
    }

    /** Counts the events and releases each, as a sink that forwards nothing. */
    private static final class Counting implements EventFramer.Sink {
        int events;

        @Override
        public void onEvent(ByteBuf raw, SseEvent event) {
            raw.release();
            events++;
        }
    }

    /**
     * Decodes each event and keeps what the stream relay takes from the canonical events: the text and tool
     * arguments relayed (its output estimate), the latest usage, the finish reason. The raw bytes are released,
     * as after the relay has written them.
     */
    public static final class Relayed implements EventFramer.Sink {
        private final StreamDecoder decoder;
        private int canonicalEvents;
        private long outputChars;
        private Usage usage = Usage.UNKNOWN;
        private FinishReason finishReason;

        Relayed(StreamDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public void onEvent(ByteBuf raw, SseEvent event) {
            raw.release();
            if (event != null) {
                read(decoder.onEvent(event));
            }
        }

        void complete() {
            read(decoder.onComplete());
        }

        private void read(List<StreamEvent> events) {
            for (StreamEvent e : events) {
                canonicalEvents++;
                switch (e) {
                    case StreamEvent.TextDelta t -> outputChars += t.text().length();
                    case StreamEvent.ToolCallDelta t -> outputChars += t.argumentsFragment() == null
                            ? 0 : t.argumentsFragment().length();
                    case StreamEvent.UsageUpdate u -> usage = u.usage();
                    case StreamEvent.Finish f -> finishReason = f.reason();
                    case StreamEvent.Start s -> { }
                    case StreamEvent.Failure f -> throw new IllegalStateException("the stream failed: " + f.error());
                }
            }
        }

        int canonicalEvents() {
            return canonicalEvents;
        }

        long outputChars() {
            return outputChars;
        }

        Usage usage() {
            return usage;
        }

        FinishReason finishReason() {
            return finishReason;
        }
    }
}
