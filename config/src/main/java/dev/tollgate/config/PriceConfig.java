package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Price;

/**
 * One entry of {@code prices} as written. Kept with its position so that a price no deployment can use is pointed
 * at ({@link ConfigValidator}).
 *
 * @param name an upstream model name, or {@code <provider id>/<upstream model>}
 * @param price null when a rate is unusable (such a config is never compiled)
 */
record PriceConfig(String name, Origin origin, Price price) {
    PriceConfig {
        requireNonNull(name, "name");
        requireNonNull(origin, "origin");
    }
}
