package dev.tollgate.core.observe.trace;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Starts spans: decides sampling, makes ids, and stamps times. Cheap enough for an event loop: ids come from
 * {@link ThreadLocalRandom} (unpredictable ids are not a goal, unique ones are: 128 random bits), and nothing is
 * encoded until export. Times are {@code nanoTime} readings laid over one wall-clock reading per request: the spans
 * of one request are exact relative to each other, and a long-running process never drifts from the wall clock
 * (which {@code nanoTime} alone would, over days).
 *
 * <p>Sampling is parent-based: a request whose {@code traceparent} says sampled or not is recorded or not
 * accordingly; a request that starts a trace is recorded with probability {@link TraceSettings#sampleRatio()}.
 */
public final class Tracer {
    private final SpanSink sink;
    private final LongSupplier nanoTime;
    private final LongSupplier epochMillis;

    /**
     * @param nanoTime a monotonic clock ({@code System::nanoTime})
     * @param epochMillis the wall clock ({@code System::currentTimeMillis})
     */
    public Tracer(SpanSink sink, LongSupplier nanoTime, LongSupplier epochMillis) {
        this.sink = requireNonNull(sink, "sink");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.epochMillis = requireNonNull(epochMillis, "epochMillis");
    }

    /** A tracer on the system clocks. */
    public static Tracer system(SpanSink sink) {
        return new Tracer(sink, System::nanoTime, System::currentTimeMillis);
    }

    /**
     * The span of a request the gateway serves: a child of {@code parent} when the request came with one, else the
     * root of a new trace.
     *
     * @param startNanoTime when the request arrived, as a {@code nanoTime} reading
     */
    public Span server(TraceSettings settings, TraceContext parent, String name, long startNanoTime) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean sampled = parent != null ? parent.sampled() : random.nextDouble() < settings.sampleRatio();
        long spanId = nonZero(random);
        TraceContext context = parent != null ? parent.child(spanId, sampled)
                : new TraceContext(random.nextLong(), nonZero(random), spanId, sampled ? TraceContext.SAMPLED : 0,
                        null);
        // This request's anchor: nanoTime readings plus this offset are wall-clock nanoseconds.
        long offset = epochMillis.getAsLong() * 1_000_000L - nanoTime.getAsLong();
        Span.Clock clock = () -> offset + nanoTime.getAsLong();
        return new Span(SpanKind.SERVER, name, context, parent == null ? 0 : parent.spanId(), offset + startNanoTime,
                sampled, sink, clock);
    }

    /** A call the gateway makes on behalf of {@code parent}'s request, starting now; recorded if the parent is. */
    public Span client(Span parent, String name) {
        TraceContext context = parent.context().child(nonZero(ThreadLocalRandom.current()), parent.recording());
        Span.Clock clock = parent.clock();
        return new Span(SpanKind.CLIENT, name, context, parent.context().spanId(), clock.epochNanos(),
                parent.recording(), sink, clock);
    }

    private static long nonZero(ThreadLocalRandom random) {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        return id;
    }
}
