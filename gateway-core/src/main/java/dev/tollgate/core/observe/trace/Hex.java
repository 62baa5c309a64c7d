package dev.tollgate.core.observe.trace;

/** Lower-case hex for trace and span ids, without the allocations of {@code String.format} or {@code HexFormat}. */
final class Hex {
    static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    /** 16 hex digits. */
    static String of(long value) {
        char[] out = new char[16];
        write(value, out, 0);
        return new String(out);
    }

    static void write(long value, char[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = DIGITS[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    /** Whether {@code s[from, to)} is lower-case hex digits only. */
    static boolean isLowerHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (digit(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The two lower-case hex digits at {@code at} as 0..255, or -1. */
    static int octet(String s, int at) {
        int hi = digit(s.charAt(at));
        int lo = digit(s.charAt(at + 1));
        return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
    }

    /** The 16 hex digits at {@code at}, already checked. */
    static long parseLong(String s, int at) {
        long value = 0;
        for (int i = at; i < at + 16; i++) {
            value = value << 4 | digit(s.charAt(i));
        }
        return value;
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }
}
