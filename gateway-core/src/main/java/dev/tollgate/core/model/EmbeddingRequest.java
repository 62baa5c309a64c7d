package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * An embeddings request in canonical form.
 *
 * @param dimensions null when the client did not ask for a size
 * @param encodingFormat {@code float} or {@code base64}; null when not set
 */
public record EmbeddingRequest(
        String model, List<String> inputs, Integer dimensions, String encodingFormat, String user,
        Map<String, RawJson> extensions) {
    public EmbeddingRequest {
        requireNonNull(model, "model");
        inputs = List.copyOf(inputs);
        extensions = Map.copyOf(extensions);
    }
}
