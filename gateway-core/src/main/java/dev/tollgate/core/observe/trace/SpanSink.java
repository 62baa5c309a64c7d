package dev.tollgate.core.observe.trace;

/**
 * Where finished spans go: an exporter. Called on event loops, so an implementation only queues (or drops) the
 * span; encoding and sending happen elsewhere.
 */
@FunctionalInterface
public interface SpanSink {
    /** Takes a finished, recorded span; never blocks. */
    void accept(Span span);
}
