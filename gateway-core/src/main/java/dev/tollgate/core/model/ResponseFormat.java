package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

/** The shape the client wants the answer in. */
public sealed interface ResponseFormat {
    record Text() implements ResponseFormat {}

    record JsonObject() implements ResponseFormat {}

    /** @param description what the answer is for, which guides the model; may be null */
    record JsonSchema(String name, String description, RawJson schema, boolean strict) implements ResponseFormat {
        public JsonSchema {
            requireNonNull(name, "name");
            requireNonNull(schema, "schema");
        }

        public JsonSchema(String name, RawJson schema, boolean strict) {
            this(name, null, schema, strict);
        }
    }
}
