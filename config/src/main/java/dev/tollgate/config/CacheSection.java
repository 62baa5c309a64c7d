package dev.tollgate.config;

import dev.tollgate.core.cache.CachePolicy;
import dev.tollgate.core.cache.CacheSettings;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds the top-level {@code cache} section (the store's size and the default policy) and a model's own
 * {@code cache} override. Caching changes what a repeated request gets, so it is off until the admin turns it on.
 */
final class CacheSection {
    static final Set<String> KEYS = Set.of(
            "enabled", "max_bytes", "shared", "ttl", "scope", "mode", "cache_tool_calls", "max_entry_bytes");
    static final Set<String> MODEL_KEYS = Set.of("enabled", "ttl", "scope", "mode", "cache_tool_calls");
    /** Scopes by the name the file uses, the default first. */
    static final Map<String, CachePolicy.Scope> SCOPES = choices(CachePolicy.Scope.values());
    /** Modes by the name the file uses, the default first. */
    static final Map<String, CachePolicy.Mode> MODES = choices(CachePolicy.Mode.values());

    static final long MIN_MAX_BYTES = 1L << 20;
    static final long MAX_MAX_BYTES = 64L << 30;
    static final long MIN_ENTRY_BYTES = 1L << 10;
    static final long MAX_ENTRY_BYTES = 64L << 20;
    static final Duration MIN_TTL = Duration.ofSeconds(1);
    static final Duration MAX_TTL = Duration.ofDays(30);

    private CacheSection() {}

    /** A model's {@code cache} override: each field null where the model takes the section's value. */
    record Override(Boolean enabled, Duration ttl, CachePolicy.Scope scope, CachePolicy.Mode mode,
                    Boolean cacheToolCalls) {
        CachePolicy over(CachePolicy d) {
            return new CachePolicy(enabled != null ? enabled : d.enabled(), ttl != null ? ttl : d.ttl(),
                    scope != null ? scope : d.scope(), mode != null ? mode : d.mode(),
                    cacheToolCalls != null ? cacheToolCalls : d.cacheToolCalls(), d.maxEntryBytes());
        }
    }

    /**
     * The section; {@link CacheSettings#OFF}'s values where it is absent. Per-model policies are added later.
     *
     * @param redis whether {@code storage.redis} is set: a shared cache lives there
     */
    static CacheSettings bind(MappingReader c, boolean redis, Diagnostics problems) {
        CachePolicy d = CachePolicy.DEFAULTS;
        long maxBytes = c.size("max_bytes", CacheSettings.DEFAULT_MAX_BYTES, MIN_MAX_BYTES, MAX_MAX_BYTES);
        long maxEntry = c.size("max_entry_bytes", d.maxEntryBytes(), MIN_ENTRY_BYTES, MAX_ENTRY_BYTES);
        if (maxEntry > maxBytes) {
            problems.error(c.origin("max_entry_bytes"), "max_entry_bytes (" + SizeSyntax.format(maxEntry)
                    + ") cannot be larger than max_bytes (" + SizeSyntax.format(maxBytes) + ")");
            maxEntry = Math.min(d.maxEntryBytes(), maxBytes);
        }
        var defaults = new CachePolicy(c.bool("enabled", d.enabled()), c.duration("ttl", d.ttl(), MIN_TTL, MAX_TTL),
                choice(c, "scope", SCOPES, d.scope(), problems), choice(c, "mode", MODES, d.mode(), problems),
                c.bool("cache_tool_calls", d.cacheToolCalls()), maxEntry);
        boolean shared = c.bool("shared", false);
        if (shared && !redis) {
            problems.error(c.origin("shared"), "needs storage.redis: the shared cache lives in Redis");
        }
        return new CacheSettings(maxBytes, shared, defaults, Map.of());
    }

    /** A model's override, or null when the model has no {@code cache} key. */
    static Override bindModel(MappingReader model, Diagnostics problems) {
        if (!model.has("cache")) {
            return null;
        }
        MappingReader c = model.child("cache", MODEL_KEYS);
        return new Override(
                c.has("enabled") ? c.bool("enabled", false) : null,
                c.has("ttl") ? c.duration("ttl", null, MIN_TTL, MAX_TTL) : null,
                choice(c, "scope", SCOPES, null, problems),
                choice(c, "mode", MODES, null, problems),
                c.has("cache_tool_calls") ? c.bool("cache_tool_calls", false) : null);
    }

    private static <T> T choice(MappingReader c, String key, Map<String, T> choices, T fallback,
                                Diagnostics problems) {
        String name = c.string(key);
        if (name == null) {
            return fallback;
        }
        T value = choices.get(name);
        if (value == null) {
            problems.error(c.origin(key), "unknown " + key + " '" + name + "'"
                    + Suggestion.didYouMean(name, choices.keySet())
                    + "; expected one of " + String.join(", ", choices.keySet()));
            return fallback;
        }
        return value;
    }

    private static <T extends Enum<T>> Map<String, T> choices(T[] values) {
        var out = new LinkedHashMap<String, T>();
        for (T v : values) {
            out.put(v.name().toLowerCase(Locale.ROOT), v);
        }
        return Collections.unmodifiableMap(out);
    }
}
