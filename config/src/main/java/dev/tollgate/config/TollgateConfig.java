package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.ServerSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A config file as bound, before cross-checks and compilation: one value per top-level section. A new section is a
 * new component here, a binder for it in {@link ConfigBinder}, its keys in the schema and a chapter in the docs.
 *
 * @param providers provider id to provider, in file order: every provider the file declares, even one with problems,
 *     so that references to it are not reported as unknown too
 * @param models public model name to model, in file order
 */
record TollgateConfig(ServerSettings server, Map<String, ProviderConfig> providers, Map<String, ModelConfig> models) {
    TollgateConfig {
        requireNonNull(server, "server");
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }
}
