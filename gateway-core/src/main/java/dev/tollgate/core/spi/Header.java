package dev.tollgate.core.spi;

import static java.util.Objects.requireNonNull;

/** One HTTP header. {@link #toString()} never shows the value: headers carry credentials. */
public record Header(String name, String value) {
    public Header {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return name + ": ***";
    }
}
