package dev.tollgate.config;

import dev.tollgate.core.runtime.MetricsSettings;
import java.util.Set;

/**
 * Binds the top-level {@code metrics} section: what the Prometheus export may label. Every label value comes from
 * config or a closed set; the one choice left to the admin is whether each virtual key gets series of its own.
 */
final class MetricsSection {
    static final Set<String> KEYS = Set.of("per_key_labels");

    private MetricsSection() {}

    /** The section; {@link MetricsSettings#DEFAULTS} where it is absent. */
    static MetricsSettings bind(MappingReader m) {
        return new MetricsSettings(m.bool("per_key_labels", MetricsSettings.DEFAULTS.perKeyLabels()));
    }
}
