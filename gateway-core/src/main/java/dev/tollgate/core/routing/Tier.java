package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A named, ordered list of model groups of one class of work ({@code economy}, {@code premium}). A request for a
 * tier goes to the first group its key may use; the tier's other groups are its fallbacks, in order.
 */
public record Tier(String name, List<String> models) {
    /** The model-name prefix that addresses a tier ({@code tier:economy}). */
    public static final String PREFIX = "tier:";

    public Tier {
        requireNonNull(name, "name");
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("tier " + name + " has no models");
        }
    }
}
