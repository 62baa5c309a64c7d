package dev.tollgate.server.log;

import dev.tollgate.core.observe.ExchangeSummary;
import java.time.Instant;

/** Formats one access-log line per finished exchange. Holds no secrets by construction: the summary has none. */
public final class AccessLog {
    private final LogSink sink;

    public AccessLog(LogSink sink) {
        this.sink = sink;
    }

    /** Captures the time now; the line itself is built on the log's own thread, off the event loop. */
    public void write(ExchangeSummary summary) {
        long now = System.currentTimeMillis();
        sink.write(() -> render(summary, now));
    }

    private static String render(ExchangeSummary s, long epochMillis) {
        return new JsonLine()
                .field("ts", Instant.ofEpochMilli(epochMillis).toString())
                .field("type", "access")
                .field("request_id", s.requestId())
                .field("route", s.route())
                .field("model", s.model())
                .field("deployment", s.deployment())
                .field("provider", s.provider())
                .field("status", s.status())
                .field("outcome", s.outcome().label())
                .field("error_type", s.errorKind() == null ? null : s.errorKind().label())
                .field("stream", s.stream())
                .millis("latency_ms", s.latencyNanos())
                .millis("ttft_ms", s.firstTokenNanos())
                .millis("upstream_ms", s.upstreamNanos())
                .field("tokens_in", s.usage().inputTokens())
                .field("tokens_out", s.usage().outputTokens())
                .field("usage_reported", s.usage().reported())
                .toString();
    }
}
