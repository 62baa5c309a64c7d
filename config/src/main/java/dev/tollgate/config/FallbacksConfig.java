package dev.tollgate.config;

import dev.tollgate.core.routing.Fallbacks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's three fallback lists as written: model names with their positions, in order. Whether the names are
 * models of the same mode is a cross-section check ({@link ConfigValidator}).
 *
 * @param onError {@code fallbacks}
 * @param onContextTooLong {@code context_fallbacks}
 * @param onContentFilter {@code content_fallbacks}
 */
record FallbacksConfig(Map<String, Origin> onError, Map<String, Origin> onContextTooLong,
        Map<String, Origin> onContentFilter) {
    FallbacksConfig {
        onError = Collections.unmodifiableMap(new LinkedHashMap<>(onError));
        onContextTooLong = Collections.unmodifiableMap(new LinkedHashMap<>(onContextTooLong));
        onContentFilter = Collections.unmodifiableMap(new LinkedHashMap<>(onContentFilter));
    }

    /** The three lists, for checks that treat them alike. */
    List<Map<String, Origin>> all() {
        return List.of(onError, onContextTooLong, onContentFilter);
    }

    Fallbacks compile() {
        return new Fallbacks(List.copyOf(onError.keySet()), List.copyOf(onContextTooLong.keySet()),
                List.copyOf(onContentFilter.keySet()));
    }
}
