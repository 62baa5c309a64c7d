package dev.tollgate.core.runtime;

import static java.util.Objects.requireNonNull;

/**
 * A resolved secret and the reference it came from ({@code ${env:OPENAI_API_KEY}}). Only {@link #reveal()} gives
 * the value; {@code toString}, logs and errors show the reference.
 */
public final class Secret {
    private final String reference;
    private final String value;

    public Secret(String reference, String value) {
        this.reference = requireNonNull(reference, "reference");
        this.value = requireNonNull(value, "value");
    }

    public String reference() {
        return reference;
    }

    /** The secret itself, for the one place that must send it (an upstream auth header). */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.reference.equals(reference) && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return reference.hashCode();
    }

    @Override
    public String toString() {
        return reference;
    }
}
