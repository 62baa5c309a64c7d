package dev.tollgate.core.observe.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code tracestate} validated and limited as the W3C Trace Context rules (and its test suite) ask. */
class TraceStateTest {
    @Test
    void aValidListIsPassedOnWithoutItsWhiteSpace() {
        assertThat(TraceState.usable("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"))
                .isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
        assertThat(TraceState.usable(" \tfoo=1 ,, bar=2\t,")).isEqualTo("foo=1,bar=2");
        assertThat(TraceState.usable("tenant@vendor=x,1t@sys_-*/=v a l")).isEqualTo("tenant@vendor=x,1t@sys_-*/=v a l");
        assertThat(TraceState.usable("k=" + "v".repeat(256))).isEqualTo("k=" + "v".repeat(256));
    }

    @Test
    void anInvalidListIsDiscardedWhole() {
        assertThat(TraceState.usable(null)).isNull();
        assertThat(TraceState.usable(" , ")).isNull();
        assertThat(TraceState.usable("foo=1,foo=2")).isNull(); // a key twice
        assertThat(TraceState.usable("foo=1,Foo=2")).isNull(); // upper case key
        assertThat(TraceState.usable("foo =1")).isNull();
        assertThat(TraceState.usable("foo=bar=baz")).isNull();
        assertThat(TraceState.usable("foo")).isNull();
        assertThat(TraceState.usable("foo=")).isNull();
        assertThat(TraceState.usable("good=1,bad\r\nx-injected: yes")).isNull();
        assertThat(TraceState.usable("1abc=x")).isNull(); // a simple key starts with a letter
        assertThat(TraceState.usable("t@1sys=x")).isNull(); // a system id starts with a letter
        assertThat(TraceState.usable("t@" + "s".repeat(15) + "=x")).isNull();
        assertThat(TraceState.usable("k".repeat(257) + "=x")).isNull();
        assertThat(TraceState.usable("k=" + "v".repeat(257))).isNull();
    }

    @Test
    void moreThan32MembersAreDiscarded() {
        assertThat(TraceState.usable(members(32))).isEqualTo(members(32));
        assertThat(TraceState.usable(members(33))).isNull();
    }

    @Test
    void aLongListIsCutTo512CharactersLongMembersFirst() {
        String big = "big=" + "x".repeat(200);
        String small = members(20); // 20 members of 8 characters
        assertThat(TraceState.usable(big + "," + small + "," + big.replace("big", "bog"))).isEqualTo(small);
        // Without long members, the last ones go.
        String many = IntStream.range(0, 32).mapToObj(i -> "m" + (char) ('a' + i % 26) + (i / 26) + "="
                + "v".repeat(20)).collect(Collectors.joining(","));
        String kept = TraceState.usable(many);
        assertThat(kept.length()).isLessThanOrEqualTo(TraceState.MAX_LENGTH);
        assertThat(many).startsWith(kept + ",");
    }

    private static String members(int n) {
        return IntStream.range(0, n).mapToObj(i -> String.format("k%02d=val", i)).collect(Collectors.joining(","));
    }
}
