package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A weighted A/B test or canary: requests for {@code model} are assigned to one of the variants' model groups,
 * the same variant every time for the same key (or end user), so a caller's experience does not flicker.
 *
 * @param name reported in the {@code x-tollgate-variant} header, metrics and the access log
 * @param model the public name clients send
 */
public record Split(String name, String model, Sticky sticky, List<Variant> variants) {
    /** What keeps a caller on one variant. */
    public enum Sticky {
        /** The virtual key (all of an app's traffic takes one variant). */
        KEY,
        /** The end user the request names, else the key. */
        USER
    }

    /** @param model the model group this variant's requests go to */
    public record Variant(String model, int weight) {
        public Variant {
            requireNonNull(model, "model");
            if (weight < 0) {
                throw new IllegalArgumentException("a variant's weight cannot be negative");
            }
        }
    }

    public Split {
        requireNonNull(name, "name");
        requireNonNull(model, "model");
        requireNonNull(sticky, "sticky");
        variants = List.copyOf(variants);
        if (variants.stream().mapToInt(Variant::weight).sum() <= 0) {
            throw new IllegalArgumentException("split " + name + " has no weight");
        }
    }
}
