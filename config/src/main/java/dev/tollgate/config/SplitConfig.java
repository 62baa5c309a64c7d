package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.Split;
import java.util.List;

/**
 * One entry of {@code splits} as written. Whether its variants are chat models, and its model no alias, is a
 * cross-section check ({@link ConfigValidator}).
 *
 * @param model the public name it takes over; null when missing (such a config is never compiled)
 * @param variants in file order
 */
record SplitConfig(String name, Origin origin, String model, Origin modelOrigin, Split.Sticky sticky,
        List<Variant> variants) {
    SplitConfig {
        requireNonNull(name, "name");
        requireNonNull(origin, "origin");
        requireNonNull(modelOrigin, "modelOrigin");
        requireNonNull(sticky, "sticky");
        variants = List.copyOf(variants);
    }

    /** @param origin where the variant's model name is written */
    record Variant(String model, Origin origin, int weight) {
        Variant {
            requireNonNull(model, "model");
            requireNonNull(origin, "origin");
        }
    }

    Split compile() {
        return new Split(name, model, sticky,
                variants.stream().map(v -> new Split.Variant(v.model(), v.weight())).toList());
    }
}
