package dev.tollgate.server.log;

import dev.tollgate.core.runtime.LogLevel;

/**
 * Builds one JSON object on a single line, field by field, without a tree or a library: log lines are written on
 * event loops, so this is cheap. Strings are escaped per RFC 8259, control characters included.
 */
public final class JsonLine {
    private final StringBuilder out = new StringBuilder(256).append('{');
    /** The event level, filtered by {@link LogSink}; null for lines no threshold applies to (access, audit). */
    private final LogLevel level;

    public JsonLine() {
        this(null);
    }

    JsonLine(LogLevel level) {
        this.level = level;
    }

    LogLevel level() {
        return level;
    }

    public JsonLine field(String name, String value) {
        key(name);
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    public JsonLine field(String name, long value) {
        key(name);
        out.append(value);
        return this;
    }

    /** A finite number as JSON writes it ({@code 0.8}, {@code 1.0E-4}). */
    public JsonLine field(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON has no " + value);
        }
        key(name);
        out.append(value);
        return this;
    }

    public JsonLine field(String name, boolean value) {
        key(name);
        out.append(value);
        return this;
    }

    /** Milliseconds with microsecond precision from nanoseconds; -1 stays -1 (not measured). */
    public JsonLine millis(String name, long nanos) {
        key(name);
        if (nanos < 0) {
            out.append(-1);
        } else {
            out.append(nanos / 1_000_000).append('.');
            long micros = (nanos / 1_000) % 1_000;
            if (micros < 100) {
                out.append('0');
            }
            if (micros < 10) {
                out.append('0');
            }
            out.append(micros);
        }
        return this;
    }

    @Override
    public String toString() {
        // One copy of the line rather than two (builder to string, then string plus brace): lines are long.
        String line = out.append('}').toString();
        out.setLength(out.length() - 1);
        return line;
    }

    /**
     * Names are the callers' literals ({@code "request_id"}), which never need escaping: copying them without the
     * per-character check of {@link #string} matters, as an access line has some forty of them.
     */
    private void key(String name) {
        assert plainText(name) : name;
        if (out.length() > 1) {
            out.append(',');
        }
        out.append('"').append(name).append("\":");
    }

    private void string(String s) {
        out.append('"');
        int clean = 0;
        while (clean < s.length() && plain(s.charAt(clean))) {
            clean++;
        }
        out.append(s, 0, clean); // most values need no escaping at all: copy them in one go
        for (int i = clean; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean plainText(String s) {
        return s.chars().allMatch(c -> plain((char) c));
    }

    private static boolean plain(char c) {
        return c >= 0x20 && c != '"' && c != '\\' && c != 0x2028 && c != 0x2029;
    }
}
