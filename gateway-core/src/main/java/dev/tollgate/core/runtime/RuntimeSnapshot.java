package dev.tollgate.core.runtime;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.ModelGroup;
import dev.tollgate.core.routing.Provider;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything compiled from one config: read by a request for its whole life, replaced whole on reload.
 *
 * @param source where it came from (a file path, or {@code built-in demo})
 * @param models public model name to group, in config order
 */
public record RuntimeSnapshot(
        String source, ServerSettings server, Map<String, Provider> providers, Map<String, ModelGroup> models) {
    public RuntimeSnapshot {
        requireNonNull(source, "source");
        requireNonNull(server, "server");
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    /** The group for a public model name, or null. */
    public ModelGroup model(String name) {
        return models.get(name);
    }
}
