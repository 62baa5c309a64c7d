package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.cache.CacheKey;

/**
 * The Redis keys of cached answers: {@code <prefix>cache:<model>:<scope>:<digest>}, and the {@code SCAN MATCH}
 * patterns that select them by model, scope or both.
 *
 * <p>Model, scope and digest are written with {@code %}, {@code :} and the glob characters {@code * ? [ ] \}
 * percent-encoded ({@code %25}, {@code %3A}, ...). So each key has exactly three colons after the prefix's
 * {@code cache:} and no glob character past the prefix: model {@code a:b} in scope {@code c} and model {@code a}
 * in scope {@code b:c} get different keys, and purging model {@code gpt-*} removes that model's entries only,
 * never {@code gpt-4}'s. The prefix is written as given in keys and glob-escaped in patterns. Immutable.
 */
final class CacheKeys {
    private static final String GLOB = "*?[]\\";

    private final String prefix;
    private final String patternPrefix;

    CacheKeys(String prefix) {
        this.prefix = requireNonNull(prefix, "prefix") + "cache:";
        this.patternPrefix = globEscaped(this.prefix);
    }

    String key(CacheKey key) {
        return prefix + escaped(key.model()) + ':' + escaped(key.scope()) + ':' + escaped(key.digest());
    }

    /** The channel on which replicas tell each other of purges. */
    String purgeChannel() {
        return prefix + "purges";
    }

    /** The pattern of every key of {@code model} in {@code scope}; a null matches any. */
    String pattern(String model, String scope) {
        return patternPrefix + (model == null ? "*" : escaped(model)) + ':'
                + (scope == null ? "*" : escaped(scope)) + ":*";
    }

    private static String escaped(String name) {
        StringBuilder b = null;
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch == '%' || ch == ':' || GLOB.indexOf(ch) >= 0) {
                if (b == null) {
                    b = new StringBuilder(name.length() + 8).append(name, 0, i);
                }
                b.append('%').append(Character.toUpperCase(Character.forDigit(ch >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(ch & 0xF, 16)));
            } else if (b != null) {
                b.append(ch);
            }
        }
        return b == null ? name : b.toString();
    }

    /** Redis's glob reads a backslash as "the next character literally". */
    private static String globEscaped(String literal) {
        var b = new StringBuilder(literal.length() + 4);
        for (int i = 0; i < literal.length(); i++) {
            char ch = literal.charAt(i);
            if (GLOB.indexOf(ch) >= 0) {
                b.append('\\');
            }
            b.append(ch);
        }
        return b.toString();
    }
}
