package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

/** The shape the client wants the answer in. */
public sealed interface ResponseFormat {
    record Text() implements ResponseFormat {}

    record JsonObject() implements ResponseFormat {}

    record JsonSchema(String name, RawJson schema, boolean strict) implements ResponseFormat {
        public JsonSchema {
            requireNonNull(name, "name");
            requireNonNull(schema, "schema");
        }
    }
}
