package dev.tollgate.server.log;

import dev.tollgate.core.guard.Verdict;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.prompt.PromptUse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Formats one access-log line per finished exchange. Holds no secrets by construction: the summary has none. */
public final class AccessLog {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private final LogSink sink;
    /** The formatted second of the last line: lines come in bursts within one second. Log writer thread only. */
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedPrefix;

    public AccessLog(LogSink sink) {
        this.sink = sink;
    }

    /** Captures the time now; the line itself is built on the log's own thread, off the event loop. */
    public void write(ExchangeSummary summary) {
        write(summary, null);
    }

    /**
     * As {@link #write(ExchangeSummary)}, with the request's trace id (32 hex digits; null when it has no trace),
     * so that log lines and traces join.
     */
    public void write(ExchangeSummary summary, String traceId) {
        long now = System.currentTimeMillis();
        sink.write(() -> render(summary, traceId, now));
    }

    private String render(ExchangeSummary s, String traceId, long epochMillis) {
        PromptUse prompt = s.prompt();
        JsonLine line = new JsonLine()
                .field("ts", timestamp(epochMillis))
                .field("type", "access")
                .field("request_id", s.requestId())
                .field("trace_id", traceId)
                // The ledger row's id, where it is not the request id (a client-supplied id, made unique).
                .field("spend_id", s.spendId().equals(s.requestId()) ? null : s.spendId())
                .field("route", s.route())
                .field("model", s.model())
                .field("response_model", s.responseModel())
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
                .field("key", s.key())
                .field("team", s.team())
                .field("user", s.user())
                .field("cost_usd", s.cost().usd())
                .field("cost_estimated", s.costEstimated())
                .field("tier", s.routing().tier())
                .field("tier_rule", s.routing().tierRule())
                .field("variant", s.routing().variant())
                .field("attempts", s.routing().attempts())
                // The deployments tried in order, only when there was more than one (a retry or a fallback).
                .field("tried", s.routing().tried().size() > 1 ? String.join(",", s.routing().tried()) : null)
                .field("fell_back", s.routing().fellBack())
                .field("cache", s.cache() == null ? null : s.cache().result().label())
                .field("prompt", prompt == null ? null : prompt.id());
        if (prompt == null) {
            line.field("prompt_version", (String) null);
        } else {
            line.field("prompt_version", prompt.version());
        }
        return line.field("prompt_label", prompt == null ? null : prompt.label())
                .field("experiment", prompt == null ? null : prompt.variant())
                .field("guardrails", guardrails(s.guardrails()))
                .toString();
    }

    /** {@code stage:name:result}, comma-separated: the guardrails that flagged, redacted or blocked; else null. */
    private static String guardrails(List<Verdict> verdicts) {
        if (verdicts.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(32 * verdicts.size());
        for (Verdict t : verdicts) {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(t.stage().label()).append(':').append(t.guardrail()).append(':').append(t.result().label());
        }
        return out.toString();
    }

    /** ISO 8601 in UTC with milliseconds, {@code 2026-11-28T00:14:43.051Z}. */
    private String timestamp(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != cachedSecond) {
            cachedSecond = second;
            cachedPrefix = SECONDS.format(Instant.ofEpochSecond(second));
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        return cachedPrefix + (millis < 10 ? ".00" : millis < 100 ? ".0" : ".") + millis + "Z";
    }
}
