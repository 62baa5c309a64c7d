package dev.tollgate.core.eval;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of one JSON text (RFC 8259) into plain values: {@link Map} (members in order), {@link List},
 * {@link String}, {@link BigDecimal}, {@link Boolean} and null. Strict where lenient readers guess: no comments, no
 * single quotes, no trailing commas, no leading zeros, no duplicate member names, no surrogate outside a pair, no
 * byte order mark, no text after the value. Core holds
 * no JSON library, and what it reads here (judge verdicts, the shipped probe set) is small; a reader this plain is
 * easy to trust. Linear in its input, nesting bounded by {@link #MAX_DEPTH}. Stateless.
 */
final class StrictJson {
    /** Deeper nesting is refused rather than risk the stack on a hostile text. */
    static final int MAX_DEPTH = 64;
    /** Longer numbers are refused: nothing read here needs one, and a huge exponent is costly to compare. */
    private static final int MAX_NUMBER = 40;

    /** A text that is not one JSON value; the message is short and names an offset, never the text. */
    static final class Malformed extends IllegalArgumentException {
        Malformed(String message) {
            super(message);
        }
    }

    private final String in;
    private int pos;

    private StrictJson(String in) {
        this.in = in;
    }

    /**
     * The value {@code text} holds, surrounded by nothing but JSON white space.
     *
     * @throws Malformed when it holds anything else
     */
    static Object parse(String text) {
        var reader = new StrictJson(text);
        reader.skipSpace();
        Object value = reader.value(0);
        reader.skipSpace();
        if (reader.pos < text.length()) {
            throw new Malformed("text after the JSON value at offset " + reader.pos);
        }
        return value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw new Malformed("nested deeper than " + MAX_DEPTH);
        }
        return switch (peek()) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(int depth) {
        pos++;
        var members = new LinkedHashMap<String, Object>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(members);
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw unexpected();
            }
            int at = pos;
            String name = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object value = value(depth + 1);
            if (members.containsKey(name)) {
                throw new Malformed("a member name repeats at offset " + at);
            }
            members.put(name, value);
            skipSpace();
            if (peek() == ',') {
                pos++;
                continue;
            }
            expect('}');
            return Collections.unmodifiableMap(members);
        }
    }

    private List<Object> array(int depth) {
        pos++;
        var items = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(items);
        }
        while (true) {
            skipSpace();
            items.add(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                pos++;
                continue;
            }
            expect(']');
            return Collections.unmodifiableList(items);
        }
    }

    /**
     * A string whose characters, escaped or not, are whole: a surrogate not in a pair (RFC 8259 lets an escape write
     * one) is refused, since the text it stands for is no Unicode and a store or a metric label may not take it.
     */
    private String string() {
        int start = pos;
        pos++;
        var out = new StringBuilder();
        while (true) {
            char ch = next();
            if (ch == '"') {
                return whole(out, start);
            }
            if (ch < 0x20) {
                throw new Malformed("a control character inside a string at offset " + (pos - 1));
            }
            if (ch != '\\') {
                out.append(ch);
                continue;
            }
            char escape = next();
            switch (escape) {
                case '"', '\\', '/' -> out.append(escape);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(hex4());
                default -> throw new Malformed("a bad escape at offset " + (pos - 2));
            }
        }
    }

    private static String whole(StringBuilder text, int start) {
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                throw new Malformed("a lone surrogate in the string at offset " + start);
            }
        }
        return text.toString();
    }

    private char hex4() {
        int code = 0;
        for (int i = 0; i < 4; i++) {
            char ch = next();
            // Only ASCII hex digits: Character.digit would also take full-width and other scripts' digits.
            int digit = ch < 0x80 ? Character.digit(ch, 16) : -1;
            if (digit < 0) {
                throw new Malformed("a bad \\u escape at offset " + (pos - 1));
            }
            code = code * 16 + digit;
        }
        return (char) code;
    }

    /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?} */
    private BigDecimal number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else {
            digits();
        }
        if (pos < in.length() && in.charAt(pos) == '.') {
            pos++;
            digits();
        }
        if (pos < in.length() && (in.charAt(pos) == 'e' || in.charAt(pos) == 'E')) {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits();
        }
        if (pos - start > MAX_NUMBER) {
            throw new Malformed("a number longer than " + MAX_NUMBER + " characters at offset " + start);
        }
        try {
            return new BigDecimal(in.substring(start, pos));
        } catch (NumberFormatException e) {
            throw new Malformed("a number out of range at offset " + start);
        }
    }

    private void digits() {
        int start = pos;
        while (pos < in.length() && in.charAt(pos) >= '0' && in.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == start) {
            throw unexpected();
        }
    }

    private Object literal(String word, Object value) {
        if (!in.startsWith(word, pos)) {
            throw unexpected();
        }
        pos += word.length();
        return value;
    }

    private void expect(char ch) {
        if (peek() != ch) {
            throw unexpected();
        }
        pos++;
    }

    private char peek() {
        if (pos >= in.length()) {
            throw new Malformed("the JSON ends early");
        }
        return in.charAt(pos);
    }

    private char next() {
        char ch = peek();
        pos++;
        return ch;
    }

    private Malformed unexpected() {
        return pos >= in.length() ? new Malformed("the JSON ends early")
                : new Malformed("an unexpected character at offset " + pos);
    }

    private void skipSpace() {
        while (pos < in.length() && (in.charAt(pos) == ' ' || in.charAt(pos) == '\t' || in.charAt(pos) == '\n'
                || in.charAt(pos) == '\r')) {
            pos++;
        }
    }
}
