package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A YAML value with the position it was written at: the located tree the binder walks. Aliases are already
 * resolved (an alias is the anchored node itself, positioned at the anchor). Scalars keep their text as written
 * and the kind YAML gives a plain scalar, so the binder, not YAML's type guessing, decides what a value means.
 */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

    /** 1-based line of the node's first character. */
    int line();

    /** 1-based column of the node's first character. */
    int column();

    /** The node's position under {@code path}. */
    default Origin origin(String path) {
        return new Origin(path, line(), column());
    }

    /** What this is, for "expected X, got Y" messages. Never shows a value, which could be a secret. */
    String kindName();

    /** A mapping, entries in file order, keys unique. */
    record Mapping(int line, int column, List<Entry> entries) implements YamlNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        @Override
        public String kindName() {
            return "a mapping";
        }
    }

    /** One key of a mapping, positioned at the key. */
    record Entry(String key, int line, int column, YamlNode value) {
        public Entry {
            requireNonNull(key, "key");
            requireNonNull(value, "value");
        }

        Origin origin(String path) {
            return new Origin(path, line, column);
        }
    }

    /** A sequence, items in file order. */
    record Sequence(int line, int column, List<YamlNode> items) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String kindName() {
            return "a list";
        }
    }

    /**
     * A single value.
     *
     * @param text the value as written (quotes and escapes already processed); empty for {@link Kind#NULL}
     */
    record Scalar(int line, int column, Kind kind, String text) implements YamlNode {
        public Scalar {
            requireNonNull(kind, "kind");
            requireNonNull(text, "text");
        }

        @Override
        public String kindName() {
            return switch (kind) {
                case STRING -> "a string";
                case INTEGER -> "a whole number";
                case FLOAT -> "a number";
                case BOOLEAN -> "true or false";
                case NULL -> "no value";
            };
        }

        /** The text quoted and shortened for a message; only for values that cannot be secrets. */
        String quoted() {
            return quote(text);
        }

        /** {@code text} as {@link #quoted} shows a value: for a key, which is written as text. */
        static String quote(String text) {
            int limit = 40;
            String shown = text.length() <= limit ? text : text.substring(0, limit) + "...";
            return "'" + shown + "'";
        }

        // The text may be a literal api key: keep it out of any accidental log line.
        @Override
        public String toString() {
            return "Scalar[" + kind + " at " + line + ":" + column + "]";
        }
    }

    /** How YAML reads a scalar: plain {@code 8} is an integer, quoted {@code "8"} a string. */
    enum Kind {
        STRING, INTEGER, FLOAT, BOOLEAN, NULL
    }
}
