package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.ServerSettings;
import java.util.Map;
import java.util.Set;

/**
 * Walks a located tree into a {@link TollgateConfig}, one section binder per top-level key, collecting every
 * problem. Adding a section: declare its key here, write its binder on {@link MappingReader}, add a component to
 * {@link TollgateConfig}, list its keys in {@link #vocabulary()} (the schema test holds the JSON Schema to it).
 */
final class ConfigBinder {
    static final Set<String> ROOT_KEYS = Set.of("server", "providers", "models");

    private final ProvidersSection providers;

    ConfigBinder(ProvidersSection providers) {
        this.providers = requireNonNull(providers, "providers");
    }

    /**
     * The keys each fixed-shape mapping accepts, by schema path: {@code *} stands for any id or name,
     * {@code []} for any list item.
     */
    static Map<String, Set<String>> vocabulary() {
        return Map.of(
                "", ROOT_KEYS,
                "server", ServerSection.KEYS,
                "providers.*", ProvidersSection.KEYS,
                "providers.*.timeouts", ProvidersSection.TIMEOUT_KEYS,
                "providers.*.mock", MockSection.KEYS,
                "providers.*.mock.faults", MockSection.FAULT_KEYS,
                "models.*", ModelsSection.KEYS,
                "models.*.deployments[]", ModelsSection.DEPLOYMENT_KEYS);
    }

    TollgateConfig bind(YamlNode root, Diagnostics problems) {
        MappingReader file = MappingReader.of(root, "", ROOT_KEYS, problems);
        ServerSettings server = ServerSection.bind(file.child("server", ServerSection.KEYS), problems);

        var providerEntries = file.requiredEntries("providers", "at least one provider is required");
        var boundProviders = providers.bind(providerEntries, file.path("providers"), problems);
        var modelEntries = file.requiredEntries("models", "at least one model is required");
        var models = ModelsSection.bind(modelEntries, file.path("models"), problems);
        return new TollgateConfig(server, boundProviders, models);
    }
}
