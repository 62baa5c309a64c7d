package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

/**
 * A function the model may call. {@code parameters} is a JSON Schema object; {@code description} may be null.
 *
 * @param strict the caller asks that calls follow {@code parameters} exactly (OpenAI's structured outputs); adapters
 *     of providers without the option leave it out
 */
public record Tool(String name, String description, RawJson parameters, boolean strict) {
    public Tool {
        requireNonNull(name, "name");
        requireNonNull(parameters, "parameters");
    }

    public Tool(String name, String description, RawJson parameters) {
        this(name, description, parameters, false);
    }
}
