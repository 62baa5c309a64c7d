package dev.tollgate.core.observe.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Parent-based sampling, ids, times and what a finished span carries. */
class TracerTest {
    final List<Span> exported = new ArrayList<>();
    final AtomicLong nanos = new AtomicLong(1_000);
    final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
    final Tracer tracer = new Tracer(exported::add, nanos::get, millis::get);
    final TraceSettings all = TraceSettings.OFF;
    final TraceSettings none = new TraceSettings(true, TraceSettings.DEFAULT_ENDPOINT, List.of(), 0.0, "t",
            TraceSettings.DEFAULT_EXPORT_TIMEOUT, 10, 10);

    @Test
    void aChildKeepsTheTraceAndTheParentsDecision() {
        TraceContext sampled = TraceContext.parse(TraceContextTest.VALID, "a=1");
        Span server = tracer.server(none, sampled, "chat m", 1_000);
        assertThat(server.recording()).as("the parent's flag wins over a ratio of 0").isTrue();
        assertThat(server.context().traceIdHex()).isEqualTo(sampled.traceIdHex());
        assertThat(server.parentSpanId()).isEqualTo(sampled.spanId());
        assertThat(server.context().spanId()).isNotEqualTo(sampled.spanId());
        assertThat(server.context().traceState()).isEqualTo("a=1");

        TraceContext unsampled = sampled.child(sampled.spanId(), false);
        Span off = tracer.server(all, unsampled, "chat m", 1_000);
        assertThat(off.recording()).as("the parent's flag wins over a ratio of 1").isFalse();
        Span client = tracer.client(off, "chat x");
        assertThat(client.recording()).isFalse();
        assertThat(client.context().sampled()).isFalse();
        client.end();
        off.end();
        assertThat(exported).isEmpty();
    }

    @Test
    void aNewTraceFollowsTheRatio() {
        assertThat(tracer.server(all, null, "chat m", 0).recording()).isTrue();
        assertThat(tracer.server(none, null, "chat m", 0).recording()).isFalse();
        var half = new TraceSettings(true, TraceSettings.DEFAULT_ENDPOINT, List.of(), 0.5, "t",
                TraceSettings.DEFAULT_EXPORT_TIMEOUT, 10, 10);
        int recorded = 0;
        for (int i = 0; i < 10_000; i++) {
            Span s = tracer.server(half, null, "chat m", 0);
            assertThat(s.parentSpanId()).isZero();
            recorded += s.recording() ? 1 : 0;
        }
        assertThat(recorded).isBetween(4_500, 5_500);
    }

    @Test
    void aRecordedSpanIsExportedOnceWithItsTimesAndAttributes() {
        Span server = tracer.server(all, null, "chat m", 1_000);
        millis.addAndGet(60_000); // the wall clock steps: this request's spans keep their anchor
        nanos.set(5_000);
        Span client = tracer.client(server, "chat upstream");
        client.put("gen_ai.request.model", "upstream").put("missing", (String) null).put("tokens", 3L);
        nanos.set(9_000);
        client.failed("rate_limited", "429 from provider");
        client.end();
        client.end();
        client.put("late", "ignored");
        server.end();
        assertThat(exported).containsExactly(client, server);
        assertThat(client.parentSpanId()).isEqualTo(server.context().spanId());
        assertThat(client.startEpochNanos()).isEqualTo(1_700_000_000_000_000_000L + 4_000);
        assertThat(client.endEpochNanos()).isEqualTo(1_700_000_000_000_000_000L + 8_000);
        assertThat(client.status()).isEqualTo(Span.Status.ERROR);
        assertThat(client.attributes()).containsExactly(new Attribute("gen_ai.request.model", "upstream"),
                new Attribute("tokens", 3L), new Attribute("error.type", "rate_limited"));
        assertThat(server.startEpochNanos()).isEqualTo(1_700_000_000_000_000_000L);
        assertThat(server.endEpochNanos()).isEqualTo(1_700_000_000_000_000_000L + 8_000);

        Span next = tracer.server(all, null, "chat m", 9_000);
        assertThat(next.startEpochNanos()).as("the next request anchors on the wall clock anew")
                .isEqualTo(1_700_000_060_000_000_000L);
    }

    @Test
    void aSpanKeepsNoStringLongerThanTheLimit() {
        int limit = 1024; // Span.MAX_STRING
        String huge = "m".repeat(1_000_000); // a model name as long as a request body may be
        Span server = tracer.server(all, null, "chat", 1_000);
        server.name("chat " + huge).put("gen_ai.request.model", huge).put("reasons", List.of(huge))
                .put("pair", "x".repeat(limit - 1) + "\uD83D\uDE00");
        server.end();
        assertThat(server.name()).hasSize(limit);
        List<Attribute> attributes = server.attributes();
        assertThat((String) attributes.get(0).value()).hasSize(limit);
        assertThat(attributes.get(1).value()).isEqualTo(List.of(huge.substring(0, limit)));
        // Never half of a surrogate pair: that would not encode.
        assertThat((String) attributes.get(2).value()).isEqualTo("x".repeat(limit - 1));
    }
}
