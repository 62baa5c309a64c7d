package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

/** One deployment to try, with the model group it was reached through. */
public record Candidate(ModelGroup group, Deployment deployment) {
    public Candidate {
        requireNonNull(group, "group");
        requireNonNull(deployment, "deployment");
    }
}
