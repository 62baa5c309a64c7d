package dev.tollgate.core.cache;

import java.util.TreeMap;

/**
 * Rewrites a JSON text into one canonical spelling, so that two texts meaning the same value give the same
 * characters: object members sorted by name (code-unit order), no insignificant whitespace, strings written with
 * one escaping, numbers as written ({@code 1.0} and {@code 1} stay different: a provider may read them
 * differently, and the cache must never call two requests the same when they are not). The gateway's decoders
 * already refused malformed JSON; a text that is malformed anyway is kept as it is, which can only make the key
 * more specific. Stateless.
 */
final class CanonicalJson {
    private final String in;
    private int pos;

    private CanonicalJson(String in) {
        this.in = in;
    }

    /** The canonical spelling of {@code json}, or {@code json} itself when it does not parse. */
    static String of(String json) {
        var c = new CanonicalJson(json);
        try {
            String value = c.value();
            c.skipSpace();
            return c.pos == json.length() ? value : json;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return json;
        }
    }

    private String value() {
        skipSpace();
        char ch = in.charAt(pos);
        return switch (ch) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> quote(string());
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        };
    }

    private String object() {
        pos++;
        var members = new TreeMap<String, String>();
        skipSpace();
        if (in.charAt(pos) == '}') {
            pos++;
            return "{}";
        }
        while (true) {
            skipSpace();
            expect('"');
            pos--;
            String name = string();
            skipSpace();
            expect(':');
            if (members.put(name, value()) != null) {
                throw new IllegalArgumentException("duplicate member " + name);
            }
            skipSpace();
            if (in.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect('}');
            break;
        }
        var b = new StringBuilder().append('{');
        members.forEach((name, value) -> {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(quote(name)).append(':').append(value);
        });
        return b.append('}').toString();
    }

    private String array() {
        pos++;
        var b = new StringBuilder().append('[');
        skipSpace();
        if (in.charAt(pos) == ']') {
            pos++;
            return "[]";
        }
        while (true) {
            b.append(value());
            skipSpace();
            if (in.charAt(pos) == ',') {
                pos++;
                b.append(',');
                continue;
            }
            expect(']');
            return b.append(']').toString();
        }
    }

    /** The decoded characters of a string at {@code pos}, escapes resolved. */
    private String string() {
        expect('"');
        var b = new StringBuilder();
        while (true) {
            char ch = in.charAt(pos++);
            if (ch == '"') {
                return b.toString();
            }
            if (ch != '\\') {
                b.append(ch);
                continue;
            }
            char esc = in.charAt(pos++);
            switch (esc) {
                case '"', '\\', '/' -> b.append(esc);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    b.append((char) Integer.parseInt(in.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                default -> throw new IllegalArgumentException("bad escape");
            }
        }
    }

    /** One escaping for every string: the short escapes JSON has, {@code \\u00XX} for other control characters. */
    private static String quote(String s) {
        var b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private String number() {
        int start = pos;
        while (pos < in.length() && "+-0123456789.eE".indexOf(in.charAt(pos)) >= 0) {
            pos++;
        }
        if (pos == start) {
            throw new IllegalArgumentException("unexpected character");
        }
        return in.substring(start, pos);
    }

    private String literal(String word) {
        if (!in.startsWith(word, pos)) {
            throw new IllegalArgumentException("unexpected literal");
        }
        pos += word.length();
        return word;
    }

    private void expect(char ch) {
        if (in.charAt(pos) != ch) {
            throw new IllegalArgumentException("expected " + ch);
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < in.length() && " \t\r\n".indexOf(in.charAt(pos)) >= 0) {
            pos++;
        }
    }
}
