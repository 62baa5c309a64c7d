package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.PerUser;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One item of {@code keys} as written. The team and model names are only names here: whether they exist is a
 * cross-section check ({@link ConfigValidator}), which reports each at its own position.
 *
 * @param name null when missing
 * @param origin where the item starts
 * @param hash null when missing or unusable (such a config is never compiled)
 * @param team the team's name, or null for a key of no team
 * @param teamOrigin where {@code team} is written
 * @param models the allowed model names and {@code *} prefixes, each with its position, in file order; empty for all
 * @param endpoints the allowed route labels; empty for all
 * @param expires null when the key never expires
 * @param budget null when the key has none of its own
 * @param perUser null when end users are not limited separately
 */
record KeyConfig(
        String name,
        Origin origin,
        KeyHash hash,
        String team,
        Origin teamOrigin,
        Map<String, Origin> models,
        Set<String> endpoints,
        Instant expires,
        boolean disabled,
        Map<String, String> metadata,
        Limits limits,
        Budget budget,
        PerUser perUser) {
    /**
     * The creation time of every key from the file: the file does not say when a key was made, and a time taken at
     * load would change on every reload.
     */
    static final Instant UNKNOWN_CREATION = Instant.EPOCH;

    KeyConfig {
        requireNonNull(origin, "origin");
        requireNonNull(teamOrigin, "teamOrigin");
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        endpoints = Set.copyOf(endpoints);
        metadata = Map.copyOf(metadata);
        requireNonNull(limits, "limits");
    }

    /** The key as the gateway enforces it; only for a config without problems. */
    VirtualKey compile() {
        return new VirtualKey(name, hash, team, UNKNOWN_CREATION, expires, disabled, models.keySet(), endpoints,
                metadata, limits, budget, perUser, VirtualKey.Source.CONFIG);
    }
}
