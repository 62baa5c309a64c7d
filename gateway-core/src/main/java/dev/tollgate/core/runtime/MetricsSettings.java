package dev.tollgate.core.runtime;

/**
 * The {@code metrics} section: what the Prometheus export may label. Applied on every reload.
 *
 * @param perKeyLabels whether virtual keys get series of their own ({@code tollgate_key_*} and the key-scoped budget
 *     gauges), labelled by the key's name; off for gateways with so many keys that a series per key would cost the
 *     metrics store more than it tells
 */
public record MetricsSettings(boolean perKeyLabels) {
    /** What a config without a {@code metrics} section gets. */
    public static final MetricsSettings DEFAULTS = new MetricsSettings(true);
}
