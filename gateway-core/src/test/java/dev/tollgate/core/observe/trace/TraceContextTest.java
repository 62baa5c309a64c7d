package dev.tollgate.core.observe.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code traceparent} and {@code tracestate} read strictly per W3C Trace Context. */
class TraceContextTest {
    static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void readsAValidHeader() {
        TraceContext c = TraceContext.parse(VALID, "congo=t61rcWkgMzE");
        assertThat(c.traceIdHex()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(c.spanIdHex()).isEqualTo("00f067aa0ba902b7");
        assertThat(c.sampled()).isTrue();
        assertThat(c.traceState()).isEqualTo("congo=t61rcWkgMzE");
        assertThat(c.traceparent()).isEqualTo(VALID);
    }

    @Test
    void readsTheUnsampledFlagAndKeepsUnknownFlagsOfVersion00() {
        TraceContext c = TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-08", null);
        assertThat(c.sampled()).isFalse();
        assertThat(c.traceparent()).endsWith("-08");
        assertThat(c.child(1, true).traceparent()).isEqualTo(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000001-09");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "00",
            // one character short, one too many for version 00, extra field on version 00
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            // upper-case hex in each field
            "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
            // all-zero ids, the forbidden version
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            // separators wrong or missing, non-hex characters
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
            " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            // a future version must continue with '-' after the known fields
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
    })
    void refusesEachInvalidShape(String header) {
        assertThat(TraceContext.parse(header, "congo=t61rcWkgMzE")).isNull();
    }

    @Test
    void readsAFutureVersionLikeVersion00() {
        TraceContext c = TraceContext.parse(
                "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-the-future-holds", null);
        assertThat(c.traceIdHex()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(c.sampled()).isTrue();
        // Passed on as version 00, with only the flags version 00 defines.
        assertThat(c.traceparent()).isEqualTo(VALID);
        assertThat(TraceContext.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", null)).isNotNull();
    }

    @Test
    void passesOnOnlyAUsableTracestate() {
        assertThat(TraceContext.parse(VALID, "  rojo=00f067aa0ba902b7 , congo=t61rcWkgMzE ").traceState())
                .isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
        assertThat(TraceContext.parse(VALID, "").traceState()).isNull();
        assertThat(TraceContext.parse(VALID, "a=b\u0001").traceState()).isNull();
        assertThat(TraceContext.parse(VALID, "a=b,a=c").traceState()).isNull();
    }

    @Test
    void randomInputNeverThrows() {
        var random = new Random(7);
        String alphabet = "0123456789abcdefABCDEF-xz \u00e9\u0000";
        for (int i = 0; i < 200_000; i++) {
            var b = new StringBuilder();
            if (random.nextBoolean()) {
                // near misses: a valid header with one character changed, cut or extended
                b.append(VALID);
                int at = random.nextInt(VALID.length());
                b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                if (random.nextInt(4) == 0) {
                    b.setLength(random.nextInt(b.length() + 1));
                } else if (random.nextInt(4) == 0) {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            } else {
                int length = random.nextInt(70);
                for (int j = 0; j < length; j++) {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String header = b.toString();
            assertThatCode(() -> {
                TraceContext c = TraceContext.parse(header, header);
                if (c != null) {
                    // Whatever is accepted comes out as a valid version-00 header that reads back the same.
                    assertThat(TraceContext.parse(c.traceparent(), null).traceIdHex()).isEqualTo(c.traceIdHex());
                }
            }).as(header).doesNotThrowAnyException();
        }
    }
}
