package dev.tollgate.server.trace;

import dev.tollgate.core.observe.trace.TraceContext;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/** Reads the W3C trace context of a request as Netty decoded its headers. */
public final class TraceHeaders {
    private TraceHeaders() {}

    /**
     * The request's {@code traceparent}, or null when it has none or more than one: two are not one trace, and
     * the spec's test suite expects such a request to start a trace of its own.
     */
    public static String traceparent(HttpHeaders headers) {
        String value = headers.get(TraceContext.TRACEPARENT);
        return value == null || headers.getAll(TraceContext.TRACEPARENT).size() > 1 ? null : value;
    }

    /** The request's trace context, or null when it has no valid one (see {@link TraceContext#parse}). */
    public static TraceContext read(HttpHeaders headers) {
        String traceparent = traceparent(headers);
        return traceparent == null ? null
                : TraceContext.parse(traceparent, joined(headers.getAll(TraceContext.TRACESTATE)));
    }

    /** Several {@code tracestate} header lines are one list, as the spec says. */
    private static String joined(List<String> values) {
        return values.isEmpty() ? null : values.size() == 1 ? values.getFirst() : String.join(",", values);
    }
}
