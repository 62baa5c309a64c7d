package dev.tollgate.core.observe.trace;

/**
 * A W3C trace context (<a href="https://www.w3.org/TR/trace-context/">Trace Context</a>): the trace a request
 * belongs to, the span that is its parent, and the vendor state that travels with them.
 *
 * <p>Parsing is strict about the format and lenient about the consequence: anything that is not a valid
 * {@code traceparent} yields null (the request then starts a trace of its own), never an exception.
 *
 * @param traceIdHigh the first 8 bytes of the 16-byte trace id
 * @param traceIdLow the last 8 bytes of the trace id; the two are never both zero
 * @param spanId the 8-byte id of the span this context names (the parent, for a context read from a request);
 *     never zero
 * @param flags the trace flags; bit 0 is "sampled"
 * @param traceState the {@code tracestate} value to pass on, or null
 */
public record TraceContext(long traceIdHigh, long traceIdLow, long spanId, byte flags, String traceState) {
    /** The header names, lower case as HTTP/2 and Netty's header maps use them. */
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    /** The sampled flag. */
    public static final byte SAMPLED = 1;

    /** Version 00 is exactly this long: {@code 00-<32 hex>-<16 hex>-<2 hex>}. */
    private static final int LENGTH = 55;

    public TraceContext {
        if (traceIdHigh == 0 && traceIdLow == 0) {
            throw new IllegalArgumentException("a trace id cannot be all zeroes");
        }
        if (spanId == 0) {
            throw new IllegalArgumentException("a span id cannot be all zeroes");
        }
    }

    /**
     * The context of an incoming request, or null when {@code traceparent} is absent or not valid (a
     * {@code tracestate} without a valid {@code traceparent} is ignored, as the spec says).
     *
     * <p>Version {@code 00} must be exactly 55 characters. A higher version (but not {@code ff}, which is
     * invalid) is read like version 00 for its first 55 characters, provided it is either exactly that long or
     * continues with a {@code -}: the spec's provision for fields later versions may add. Hex is lower case only.
     *
     * @param traceparent the header's value, or null
     * @param tracestate the header's values joined with commas, or null; kept only when valid (see
     *     {@link TraceState})
     */
    public static TraceContext parse(String traceparent, String tracestate) {
        if (traceparent == null || traceparent.length() < LENGTH) {
            return null;
        }
        String v = traceparent;
        int version = Hex.octet(v, 0);
        if (version < 0 || version == 0xff) {
            return null;
        }
        if (version == 0 ? v.length() != LENGTH : v.length() > LENGTH && v.charAt(LENGTH) != '-') {
            return null;
        }
        if (v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-') {
            return null;
        }
        if (!Hex.isLowerHex(v, 3, 35) || !Hex.isLowerHex(v, 36, 52)) {
            return null;
        }
        int flags = Hex.octet(v, 53);
        if (flags < 0) {
            return null;
        }
        long high = Hex.parseLong(v, 3);
        long low = Hex.parseLong(v, 19);
        long span = Hex.parseLong(v, 36);
        if ((high == 0 && low == 0) || span == 0) {
            return null;
        }
        // A later version may define more flags; only the ones version 00 knows are kept when passing it on.
        byte known = (byte) (version == 0 ? flags : flags & SAMPLED);
        return new TraceContext(high, low, span, known, TraceState.usable(tracestate));
    }

    /** The trace id of a {@code traceparent} value as 32 hex digits; null when absent or not valid. */
    public static String traceIdOf(String traceparent) {
        TraceContext c = parse(traceparent, null);
        return c == null ? null : c.traceIdHex();
    }

    public boolean sampled() {
        return (flags & SAMPLED) != 0;
    }

    /** The same trace and state with another span as the parent, sampled or not. */
    public TraceContext child(long childSpanId, boolean sampled) {
        return new TraceContext(traceIdHigh, traceIdLow, childSpanId, (byte) (sampled ? flags | SAMPLED
                : flags & ~SAMPLED), traceState);
    }

    /** The trace id as 32 lower-case hex digits, as OTLP/JSON and log lines write it. */
    public String traceIdHex() {
        char[] out = new char[32];
        Hex.write(traceIdHigh, out, 0);
        Hex.write(traceIdLow, out, 16);
        return new String(out);
    }

    public String spanIdHex() {
        return Hex.of(spanId);
    }

    /** This context as a version-00 {@code traceparent} value (the only version a sender may write). */
    public String traceparent() {
        char[] out = new char[LENGTH];
        out[0] = '0';
        out[1] = '0';
        out[2] = '-';
        Hex.write(traceIdHigh, out, 3);
        Hex.write(traceIdLow, out, 19);
        out[35] = '-';
        Hex.write(spanId, out, 36);
        out[52] = '-';
        out[53] = Hex.DIGITS[(flags >> 4) & 0xf];
        out[54] = Hex.DIGITS[flags & 0xf];
        return new String(out);
    }

    @Override
    public String toString() {
        return traceparent();
    }
}
