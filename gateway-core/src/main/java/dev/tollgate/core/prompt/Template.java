package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A text with {@code {{variable}}} placeholders, parsed once when the config is compiled. Rendering is plain
 * substitution in one pass: a value is inserted as it is and never read again for placeholders, so a caller's
 * variable cannot smuggle in another variable's value, and nothing in a template is ever executed. {@code \{{}
 * writes two literal braces; any other backslash is literal. A name is a letter or underscore followed by letters,
 * digits, {@code _}, {@code -} or {@code .}, at most {@link #MAX_NAME} in all; spaces inside the braces are
 * allowed ({@code {{ name }}}).
 *
 * @param source the text as written in the config
 */
public record Template(String source, List<Segment> segments) {
    /** The longest variable name: a request sends the values by name, and names reach error messages. */
    public static final int MAX_NAME = 64;
    /** How much of a bad placeholder an error shows: the template may be long, the message should not be. */
    private static final int SHOWN = 40;

    /** What a template is made of. */
    public sealed interface Segment {}

    /** Text copied as it is. */
    public record Literal(String text) implements Segment {}

    /** A placeholder: the value of variable {@code name}. */
    public record Variable(String name) implements Segment {}

    /** A template that cannot be parsed; {@code offset} is where in the source the problem starts. */
    public static final class SyntaxException extends IllegalArgumentException {
        private final int offset;

        SyntaxException(String message, int offset) {
            super(message);
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    public Template {
        requireNonNull(source, "source");
        segments = List.copyOf(segments);
    }

    /**
     * Parses {@code source}.
     *
     * @throws SyntaxException at an unclosed placeholder or a placeholder whose name is not a name
     */
    public static Template parse(String source) {
        var segments = new ArrayList<Segment>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            if (source.startsWith("\\{{", i)) {
                literal.append("{{");
                i += 3;
            } else if (source.startsWith("{{", i)) {
                int close = source.indexOf("}}", i + 2);
                if (close < 0) {
                    throw new SyntaxException("'{{' at offset " + i + " is never closed with '}}' (write '\\{{' for "
                            + "literal braces)", i);
                }
                String name = source.substring(i + 2, close).strip();
                if (!isName(name)) {
                    throw new SyntaxException(shorten(source.substring(i, close + 2)) + " at offset " + i
                            + (isName(name.substring(0, Math.min(name.length(), MAX_NAME)))
                                    ? " has a variable name longer than " + MAX_NAME + " characters"
                                    : " is not a variable name (a letter or '_', then letters, digits, '_', '-' or "
                                            + "'.'; write '\\{{' for literal braces)"), i);
                }
                if (!literal.isEmpty()) {
                    segments.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                segments.add(new Variable(name));
                i = close + 2;
            } else {
                literal.append(source.charAt(i++));
            }
        }
        if (!literal.isEmpty()) {
            segments.add(new Literal(literal.toString()));
        }
        return new Template(source, segments);
    }

    static boolean isName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        char first = name.charAt(0);
        if (!(Character.isLetter(first) && first < 128 || first == '_')) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String shorten(String placeholder) {
        return "'" + (placeholder.length() <= SHOWN ? placeholder : placeholder.substring(0, SHOWN) + "...") + "'";
    }

    /** The variables this template reads, in order of first use. */
    public Set<String> variables() {
        var names = new LinkedHashSet<String>();
        for (Segment s : segments) {
            if (s instanceof Variable v) {
                names.add(v.name());
            }
        }
        return Collections.unmodifiableSet(names);
    }

    /**
     * The text with every placeholder replaced by its value.
     *
     * @throws IllegalArgumentException when {@code values} lacks a variable (callers check {@link #variables} first
     *     to name them all at once)
     */
    public String render(Map<String, String> values) {
        var out = new StringBuilder(source.length() + 64);
        for (Segment s : segments) {
            switch (s) {
                case Literal l -> out.append(l.text());
                case Variable v -> {
                    String value = values.get(v.name());
                    if (value == null) {
                        throw new IllegalArgumentException("no value for variable '" + v.name() + "'");
                    }
                    out.append(value);
                }
            }
        }
        return out.toString();
    }
}
