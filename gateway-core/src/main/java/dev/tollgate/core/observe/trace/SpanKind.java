package dev.tollgate.core.observe.trace;

/** The span kinds the gateway records, with their OTLP enum numbers. */
public enum SpanKind {
    /** The gateway handling a client's request. */
    SERVER(2),
    /** One call to a provider: an attempt, a retry or a fallback. */
    CLIENT(3);

    private final int otlp;

    SpanKind(int otlp) {
        this.otlp = otlp;
    }

    /** The value of {@code Span.SpanKind} in the OTLP protocol. */
    public int otlp() {
        return otlp;
    }
}
