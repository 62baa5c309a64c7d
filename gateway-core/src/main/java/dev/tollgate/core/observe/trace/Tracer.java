package dev.tollgate.core.observe.trace;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Starts spans: decides sampling, makes ids, and stamps times. Cheap enough for an event loop: ids come from
 * {@link ThreadLocalRandom} (unpredictable ids are not a goal, unique ones are: 128 random bits), times from
 * {@code nanoTime} laid over one reading of the wall clock, and nothing is encoded until export.
 *
 * <p>Sampling is parent-based: a request whose {@code traceparent} says sampled or not is recorded or not
 * accordingly; a request that starts a trace is recorded with probability {@link TraceSettings#sampleRatio()}.
 */
public final class Tracer {
    private final SpanSink sink;
    private final LongSupplier nanoTime;
    private final long epochNanosAtZero;

    /**
     * @param nanoTime a monotonic clock ({@code System::nanoTime})
     * @param epochNanosNow the wall-clock time now, in nanoseconds since the epoch
     */
    public Tracer(SpanSink sink, LongSupplier nanoTime, long epochNanosNow) {
        this.sink = requireNonNull(sink, "sink");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.epochNanosAtZero = epochNanosNow - nanoTime.getAsLong();
    }

    /** A tracer on the system clocks. */
    public static Tracer system(SpanSink sink) {
        return new Tracer(sink, System::nanoTime, System.currentTimeMillis() * 1_000_000L);
    }

    /** The wall-clock time of a {@code nanoTime} reading, in nanoseconds since the epoch. */
    public long epochNanos(long nanoTimeReading) {
        return epochNanosAtZero + nanoTimeReading;
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
        return new Span(SpanKind.SERVER, name, context, parent == null ? 0 : parent.spanId(),
                epochNanos(startNanoTime), sampled, sink, this::now);
    }

    /** A call the gateway makes on behalf of {@code parent}'s request, starting now; recorded if the parent is. */
    public Span client(Span parent, String name) {
        TraceContext context = parent.context().child(nonZero(ThreadLocalRandom.current()), parent.recording());
        return new Span(SpanKind.CLIENT, name, context, parent.context().spanId(), now(), parent.recording(), sink,
                this::now);
    }

    private long now() {
        return epochNanos(nanoTime.getAsLong());
    }

    private static long nonZero(ThreadLocalRandom random) {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        return id;
    }
}
