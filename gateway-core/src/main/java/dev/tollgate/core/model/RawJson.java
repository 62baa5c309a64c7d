package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

/**
 * A JSON value carried as its text, never interpreted by the core: unknown client fields, tool schemas.
 * Keeping the text lets a same-dialect path hand the value back exactly as it came.
 */
public record RawJson(String json) {
    public RawJson { requireNonNull(json, "json"); }

    @Override
    public String toString() {
        return json;
    }
}
