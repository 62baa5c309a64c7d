package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

/** A function the model may call. {@code parameters} is a JSON Schema object; {@code description} may be null. */
public record Tool(String name, String description, RawJson parameters) {
    public Tool {
        requireNonNull(name, "name");
        requireNonNull(parameters, "parameters");
    }
}
