package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.Shadow;

/**
 * One item of {@code shadow} as written. Whether both models exist and serve chat is a cross-section check
 * ({@link ConfigValidator}).
 *
 * @param model null when missing (such a config is never compiled)
 * @param target {@code to}; null when missing
 * @param fraction {@code percent} / 100
 */
record ShadowConfig(String model, Origin modelOrigin, String target, Origin targetOrigin, double fraction) {
    ShadowConfig {
        requireNonNull(modelOrigin, "modelOrigin");
        requireNonNull(targetOrigin, "targetOrigin");
    }

    Shadow compile() {
        return new Shadow(model, target, fraction);
    }
}
