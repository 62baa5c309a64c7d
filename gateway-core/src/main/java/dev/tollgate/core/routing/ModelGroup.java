package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.spi.Operation;
import java.util.List;

/**
 * A public model name, the deployments that serve it, and how it routes among them.
 *
 * @param operation what the model serves; a chat request to an embeddings model is a client error
 */
public record ModelGroup(String name, Operation operation, List<Deployment> deployments, GroupPolicy policy) {
    public ModelGroup {
        requireNonNull(name, "name");
        requireNonNull(operation, "operation");
        deployments = List.copyOf(deployments);
        if (deployments.isEmpty()) {
            throw new IllegalArgumentException("model " + name + " has no deployments");
        }
        requireNonNull(policy, "policy");
    }

    /** A group that routes by weight and falls back nowhere. */
    public ModelGroup(String name, Operation operation, List<Deployment> deployments) {
        this(name, operation, deployments, GroupPolicy.DEFAULT);
    }
}
