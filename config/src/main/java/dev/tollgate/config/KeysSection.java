package dev.tollgate.config;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.PerUser;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds the {@code keys} section: virtual keys known by their SHA-256 only, with their team, expiry, scopes, labels,
 * limits, budget and per-user template. A raw key must never sit in the file, so a value that looks like one (in
 * {@code hash} or in a stray field) is an error that says what to write instead and never repeats the value.
 */
final class KeysSection {
    static final Set<String> KEYS = Set.of(
            "name", "hash", "team", "expires", "disabled", "models", "endpoints", "metadata", "limits", "budget",
            "per_user", GuardrailsSection.ATTACH);
    static final Set<String> PER_USER_KEYS = Set.of("limits", "budget");
    /** The route labels a key may be scoped to, in documentation order. */
    static final List<String> ENDPOINTS = List.of("chat", "messages", "embeddings", "count_tokens", "models",
            "feedback");
    /**
     * The name of the key the gateway makes for its own evaluation calls (judges, re-asks, bias probes): a key of the
     * file or the admin API taking it would be mistaken for that one, so neither may.
     */
    /** The accepted hash form, also the JSON Schema pattern. */
    static final String HASH_PATTERN = "^sha256:[0-9a-f]{64}$";

    private static final Pattern ANY_CASE_HEX = Pattern.compile("[0-9A-Fa-f]{64}");
    /** Raw keys as clients send them: Tollgate's own, and provider keys pasted in by mistake. */
    private static final List<String> RAW_KEY_PREFIXES = List.of("tg-", "sk-");
    /** Field names an admin might put a raw key under. */
    private static final Set<String> RAW_KEY_FIELDS = Set.of(
            "key", "raw_key", "api_key", "secret", "token", "value", "virtual_key");
    private static final String HOW_TO_HASH =
            "sha256:<64 lower-case hex digits> (printf %s \"$KEY\" | sha256sum); a raw key never goes in the file";

    private KeysSection() {}

    static List<KeyConfig> bind(List<YamlNode> items, String path, Diagnostics problems) {
        var keys = new ArrayList<KeyConfig>();
        var names = new HashMap<String, Integer>();
        var hashes = new HashMap<KeyHash, Integer>();
        for (YamlNode item : items) {
            int index = keys.size();
            MappingReader k = MappingReader.of(item, Origin.itemPath(path, index), KEYS, problems, KeysSection::advice);
            KeyConfig key = key(k, problems);
            Integer earlier = key.name() == null ? null : names.putIfAbsent(key.name(), index);
            if (earlier != null) {
                problems.error(k.origin("name"),
                        "key name '" + key.name() + "' is already used by keys[" + earlier + "]");
            }
            earlier = key.hash() == null ? null : hashes.putIfAbsent(key.hash(), index);
            if (earlier != null) {
                problems.error(k.origin("hash"), "same hash as keys[" + earlier + "]: each key needs its own");
            }
            keys.add(key);
        }
        return keys;
    }

    private static KeyConfig key(MappingReader k, Diagnostics problems) {
        String name = name(k, problems);
        k.requirePresent("hash");
        return key(k, name, k.parsed("hash", null, KeysSection::hash, "expected sha256:<64 hex digits>"), problems);
    }

    /**
     * A key described outside the file (the admin API's JSON body, which is YAML too) with the same fields and
     * messages as one in it, except {@code hash}: the gateway makes the key, so it supplies the hash.
     */
    static KeyConfig draft(YamlNode body, KeyHash hash, Diagnostics problems) {
        var fields = new HashSet<>(KEYS);
        fields.remove("hash");
        // Guardrails attach to keys in the file only; a key made at runtime gets its team's and its model's.
        fields.remove(GuardrailsSection.ATTACH);
        // No raw-key advice here: the body names no key at all (the gateway makes it), so a stray field is just that.
        MappingReader k = MappingReader.of(body, "", Set.copyOf(fields), problems);
        return key(k, name(k, problems), hash, problems);
    }

    private static String name(MappingReader k, Diagnostics problems) {
        String name = k.requiredString("name");
        if (name != null) {
            TeamsSection.checkName(k.origin("name"), "key", name, problems);
            if (name.equals(EvaluationSettings.KEY_NAME)) {
                problems.error(k.origin("name"), "'" + EvaluationSettings.KEY_NAME
                        + "' is reserved for the key the gateway makes "
                        + "for its own evaluation calls; choose another name");
            }
        }
        return name;
    }

    private static KeyConfig key(MappingReader k, String name, KeyHash hash, Diagnostics problems) {
        String team = k.string("team");
        Instant expires = k.parsed("expires", null, KeysSection::expires, "expected a date or a time");
        Map<String, Origin> models = models(k, problems);
        Set<String> endpoints = endpoints(k, problems);
        return new KeyConfig(name, k.origin(), hash, team, k.origin("team"), models, endpoints, expires,
                k.bool("disabled", false), k.labels("metadata"),
                QuotaSection.limits(k.child("limits", QuotaSection.LIMIT_KEYS)),
                QuotaSection.budget(k, "budget", problems),
                perUser(k, problems));
    }

    /** The reason for an unknown field that may hold a raw key, or null for the usual "did you mean". */
    private static String advice(YamlNode.Entry entry) {
        boolean rawLooking = entry.value() instanceof YamlNode.Scalar scalar
                && RAW_KEY_PREFIXES.stream().anyMatch(scalar.text()::startsWith);
        return rawLooking || RAW_KEY_FIELDS.contains(entry.key())
                ? "a key is configured by its SHA-256 only, in hash: " + HOW_TO_HASH
                : null;
    }

    /**
     * A key's hash. No message repeats the value: it may be the raw key, pasted where its hash belongs.
     */
    static KeyHash hash(String text) {
        KeyHash hash = KeyHash.parse(text);
        if (hash != null) {
            return hash;
        }
        boolean prefixed = text.startsWith(KeyHash.PREFIX);
        String digits = prefixed ? text.substring(KeyHash.PREFIX.length()) : text;
        if (ANY_CASE_HEX.matcher(digits).matches()) {
            throw new IllegalArgumentException(prefixed
                    ? "write the hex digits in lower case"
                    : "add the prefix: sha256:<the 64 hex digits>");
        }
        if (prefixed) {
            throw new IllegalArgumentException("a SHA-256 is 64 hex digits after sha256:, this has "
                    + digits.length() + " characters");
        }
        throw new IllegalArgumentException("expected the key's SHA-256, not the key itself: " + HOW_TO_HASH);
    }

    /** A date ({@code 2027-01-01}, the start of that day in UTC) or a time with an offset. */
    static Instant expires(String text) {
        try {
            return text.indexOf('T') < 0 && text.indexOf('t') < 0
                    ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected a date such as 2027-01-01 (the start of that day in UTC) "
                    + "or a time with an offset such as 2027-01-01T00:00:00Z, got '" + text + "'", e);
        }
    }

    /** The allowed models with their positions; none for all. */
    private static Map<String, Origin> models(MappingReader k, Diagnostics problems) {
        var models = new LinkedHashMap<String, Origin>();
        List<YamlNode> items = k.items("models", "an empty list would allow every model; remove the key instead");
        for (int i = 0; items != null && i < items.size(); i++) {
            String itemPath = Origin.itemPath(k.path("models"), i);
            YamlNode.Scalar scalar = MappingReader.itemScalar(items.get(i), itemPath, "a model name", problems);
            if (scalar == null) {
                continue;
            }
            String model = scalar.text();
            Origin at = scalar.origin(itemPath);
            int star = model.indexOf('*');
            if (star >= 0 && star != model.length() - 1) {
                problems.error(at, "'*' may only end a model name, as a prefix (claude-*)");
            } else if (models.putIfAbsent(model, at) != null) {
                problems.error(at, "model '" + model + "' is listed twice");
            }
        }
        return models;
    }

    private static Set<String> endpoints(MappingReader k, Diagnostics problems) {
        var endpoints = new LinkedHashSet<String>();
        List<YamlNode> items = k.items("endpoints", "an empty list would allow every endpoint; remove the key instead");
        for (int i = 0; items != null && i < items.size(); i++) {
            String itemPath = Origin.itemPath(k.path("endpoints"), i);
            YamlNode.Scalar scalar = MappingReader.itemScalar(items.get(i), itemPath, "an endpoint", problems);
            if (scalar == null) {
                continue;
            }
            String endpoint = scalar.text();
            if (!ENDPOINTS.contains(endpoint)) {
                problems.error(scalar.origin(itemPath), "unknown endpoint '" + endpoint + "'"
                        + Suggestion.didYouMean(endpoint, ENDPOINTS) + "; expected " + String.join(", ", ENDPOINTS));
            } else if (!endpoints.add(endpoint)) {
                problems.error(scalar.origin(itemPath), "endpoint '" + endpoint + "' is listed twice");
            }
        }
        return endpoints;
    }

    /** The per-user template, or null when absent or empty. */
    private static PerUser perUser(MappingReader k, Diagnostics problems) {
        MappingReader u = k.child("per_user", PER_USER_KEYS);
        Limits limits = QuotaSection.limits(u.child("limits", QuotaSection.LIMIT_KEYS));
        Budget budget = QuotaSection.budget(u, "budget", problems);
        return limits.none() && budget == null ? null : new PerUser(limits, budget);
    }
}
