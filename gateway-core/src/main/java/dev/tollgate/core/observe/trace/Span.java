package dev.tollgate.core.observe.trace;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One timed operation in a trace. Built and ended on one thread (the exchange's event loop), then handed to a
 * {@link SpanSink} and never changed again, so it needs no locks. A span the sampler left out still has ids (its
 * context is what the next hop sees, with the sampled flag off) but records nothing and is never exported.
 *
 * <p>Attributes hold ids, names, numbers and verdicts only: never a prompt, a completion, a key or a secret.
 */
public final class Span {
    /**
     * The longest string a span keeps, as its name or an attribute; a longer one is cut, as OpenTelemetry SDKs'
     * attribute length limit does. A client chooses some of them (the model it asks for, which may be as long as
     * a request body), and a queued span must not hold megabytes of one.
     */
    public static final int MAX_STRING = 1024;

    /** OTLP status codes. */
    public enum Status {
        UNSET(0), OK(1), ERROR(2);

        private final int otlp;

        Status(int otlp) {
            this.otlp = otlp;
        }

        public int otlp() {
            return otlp;
        }
    }

    private final SpanKind kind;
    private final TraceContext context;
    private final long parentSpanId;
    private final long startEpochNanos;
    private final boolean recording;
    private final SpanSink sink;
    private final Clock clock;
    private final List<Attribute> attributes;
    private String name;
    private Status status = Status.UNSET;
    private String statusMessage;
    private long endEpochNanos;

    /** The time source a span reads its end from, shared by the spans of one request. */
    @FunctionalInterface
    interface Clock {
        long epochNanos();
    }

    Clock clock() {
        return clock;
    }

    Span(SpanKind kind, String name, TraceContext context, long parentSpanId, long startEpochNanos, boolean recording,
         SpanSink sink, Clock clock) {
        this.kind = requireNonNull(kind, "kind");
        this.name = capped(requireNonNull(name, "name"));
        this.context = requireNonNull(context, "context");
        this.parentSpanId = parentSpanId;
        this.startEpochNanos = startEpochNanos;
        this.recording = recording;
        this.sink = sink;
        this.clock = clock;
        this.attributes = recording ? new ArrayList<>(16) : List.of();
    }

    /** This span's context: what a child's parent is, and what goes to the next hop. */
    public TraceContext context() {
        return context;
    }

    /** Whether this span is sampled: attributes are worth computing only then. */
    public boolean recording() {
        return recording;
    }

    public boolean ended() {
        return endEpochNanos != 0;
    }

    public Span name(String value) {
        if (recording && !ended()) {
            name = capped(requireNonNull(value, "value"));
        }
        return this;
    }

    /** Sets an attribute; a null value sets nothing, so optional values need no check at the call. */
    public Span put(String key, String value) {
        return add(key, value == null ? null : capped(value));
    }

    public Span put(String key, long value) {
        return add(key, value);
    }

    public Span put(String key, double value) {
        return add(key, value);
    }

    public Span put(String key, boolean value) {
        return add(key, value);
    }

    public Span put(String key, List<String> values) {
        return add(key, values == null || values.isEmpty() ? null
                : values.stream().map(Span::capped).toList());
    }

    /** {@code s} within {@link #MAX_STRING}, never cut between the two halves of a surrogate pair. */
    static String capped(String s) {
        if (s.length() <= MAX_STRING) {
            return s;
        }
        return s.substring(0, Character.isHighSurrogate(s.charAt(MAX_STRING - 1)) ? MAX_STRING - 1 : MAX_STRING);
    }

    private Span add(String key, Object value) {
        if (recording && value != null && !ended()) {
            attributes.add(new Attribute(key, value));
        }
        return this;
    }

    /** Marks the operation as failed: {@code error.type} and status ERROR with a short description. */
    public Span failed(String errorType, String description) {
        if (recording && !ended()) {
            add("error.type", errorType);
            status = Status.ERROR;
            statusMessage = description;
        }
        return this;
    }

    /** Ends the span now and hands it to the sink if it records; later calls do nothing. */
    public void end() {
        if (ended()) {
            return;
        }
        endEpochNanos = Math.max(clock.epochNanos(), startEpochNanos);
        if (recording) {
            sink.accept(this);
        }
    }

    public SpanKind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    /** The parent span's id, 0 for a root span. */
    public long parentSpanId() {
        return parentSpanId;
    }

    /** The parent span's id as 16 hex digits, or null for a root span. */
    public String parentSpanIdHex() {
        return parentSpanId == 0 ? null : Hex.of(parentSpanId);
    }

    public long startEpochNanos() {
        return startEpochNanos;
    }

    /** 0 until ended. */
    public long endEpochNanos() {
        return endEpochNanos;
    }

    public List<Attribute> attributes() {
        return Collections.unmodifiableList(attributes);
    }

    public Status status() {
        return status;
    }

    /** The failure's description, or null. */
    public String statusMessage() {
        return statusMessage;
    }

    @Override
    public String toString() {
        return kind + " " + name + " " + context;
    }
}
