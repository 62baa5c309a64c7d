package dev.tollgate.core.observe.trace;

import static java.util.Objects.requireNonNull;

/**
 * One span attribute.
 *
 * @param value a {@link String}, {@link Long}, {@link Double}, {@link Boolean} or a {@code List<String>}: the
 *     OTLP value types the gateway writes
 */
public record Attribute(String key, Object value) {
    public Attribute {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
    }
}
