package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Vectors in input order, with usage (embeddings have input tokens only). */
public record EmbeddingResponse(String model, List<float[]> vectors, Usage usage) {
    public EmbeddingResponse {
        requireNonNull(model, "model");
        vectors = List.copyOf(vectors);
        requireNonNull(usage, "usage");
    }
}
