package dev.tollgate.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.observe.trace.Span;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.observe.trace.Tracer;
import dev.tollgate.core.spi.Operation;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An exchange's trace: what it costs while tracing is off, and which client context it trusts. */
class ExchangeTraceTest {
    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    final List<Span> ended = new ArrayList<>();
    final Tracer tracer = Tracer.system(ended::add);

    @Test
    void tracingOffWithoutAClientContextAllocatesNothingPerRequest() {
        ExchangeTrace first = ExchangeTrace.begin(tracer, TraceSettings.OFF, new DefaultHttpHeaders(), Operation.CHAT,
                System.nanoTime());
        ExchangeTrace second = ExchangeTrace.begin(tracer, TraceSettings.OFF, new DefaultHttpHeaders(),
                Operation.EMBEDDINGS, System.nanoTime());
        assertThat(second).isSameAs(first);
        second.answered("id", "model", null); // shared: describing an untraced answer changes nothing
        assertThat(first.traceId()).isNull();
        assertThat(first.recording()).isFalse();
        HttpHeaders upstream = new DefaultHttpHeaders();
        first.inject(upstream);
        assertThat(upstream.isEmpty()).isTrue();
    }

    @Test
    void aRepeatedTraceparentIsNoContext() {
        HttpHeaders headers = new DefaultHttpHeaders().add("traceparent", TRACEPARENT)
                .add("traceparent", TRACEPARENT.replace('4', '5'));
        ExchangeTrace trace = ExchangeTrace.begin(tracer, TraceSettings.OFF, headers, Operation.CHAT,
                System.nanoTime());
        assertThat(trace.traceId()).isNull();
        HttpHeaders upstream = new DefaultHttpHeaders();
        trace.inject(upstream);
        assertThat(upstream.contains("traceparent")).isFalse();
    }

    @Test
    void tracingOffPassesOnAValidClientContext() {
        HttpHeaders headers = new DefaultHttpHeaders().add("traceparent", TRACEPARENT).add("tracestate", "a=1")
                .add("tracestate", "b=2");
        ExchangeTrace trace = ExchangeTrace.begin(tracer, TraceSettings.OFF, headers, Operation.CHAT,
                System.nanoTime());
        HttpHeaders upstream = new DefaultHttpHeaders();
        trace.inject(upstream);
        assertThat(upstream.get("traceparent")).isEqualTo(TRACEPARENT);
        assertThat(upstream.get("tracestate")).isEqualTo("a=1,b=2");
        assertThat(ended).isEmpty();
    }
}
