package dev.tollgate.core.spi;

import static java.util.Objects.requireNonNull;

/**
 * One name a client may send as its model, as {@code GET /v1/models} lists it: a model group, a tier address
 * ({@code tier:economy}), an automatic-tier alias ({@code auto}) or a split's model.
 *
 * @param operation what requests for it do, so a dialect can list only what its API can call
 */
public record ListedModel(String name, Operation operation) {
    public ListedModel {
        requireNonNull(name, "name");
        requireNonNull(operation, "operation");
    }
}
