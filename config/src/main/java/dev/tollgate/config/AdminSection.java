package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AdminKey;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.runtime.Secret;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds {@code admin}: whether the admin API is on and the keys that open it. A key is a hash ({@code sha256:...}, as
 * for virtual keys) or a reference ({@code ${env:TOLLGATE_ADMIN_KEY}}, {@code ${file:/run/secrets/admin}}) whose value
 * is hashed at load, so the process never keeps a raw admin key after startup; a raw key written in the file is
 * refused. A key written alone is an unnamed {@code admin}; the mapping form
 * ({@code {hash: ..., role: viewer, name: ci-readonly}}) sets its role and the name audit lines show.
 *
 * <p>The API is on when keys are given, unless {@code enabled: false}; {@code enabled: true} without keys is a
 * problem, so a config that asks for the API never starts without a credential for it.
 */
final class AdminSection {
    static final Set<String> KEYS = Set.of("enabled", "keys");
    static final Set<String> KEY_KEYS = Set.of("hash", "role", "name");
    private static final String EXPECTED = "sha256:<64 hex digits> or a ${env:NAME} / ${file:/path} reference";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final SecretReferences secrets;

    AdminSection(SecretReferences secrets) {
        this.secrets = requireNonNull(secrets, "secrets");
    }

    /**
     * The section as written.
     *
     * @param keys every key listed, in force or not
     */
    record Bound(List<AdminKey> keys, boolean enabled) {
        Bound {
            keys = List.copyOf(keys);
        }

        /** The keys that open the admin API: none when it is off (its routes then answer 403). */
        List<AdminKey> inForce() {
            return enabled ? keys : List.of();
        }
    }

    Bound bind(MappingReader admin, Diagnostics problems) {
        List<YamlNode> items = admin.items("keys", "an empty list leaves the admin API closed; remove admin instead");
        var keys = new ArrayList<AdminKey>();
        var names = new HashMap<String, Origin>();
        for (int i = 0; items != null && i < items.size(); i++) {
            AdminKey key = key(items.get(i), Origin.itemPath(admin.path("keys"), i), names, problems);
            if (key == null) {
                continue;
            }
            if (keys.stream().anyMatch(k -> k.hash().equals(key.hash()))) {
                problems.error(items.get(i).origin(Origin.itemPath(admin.path("keys"), i)),
                        "the same admin key is listed twice");
            } else {
                keys.add(key);
            }
        }
        boolean explicit = admin.has("enabled");
        boolean enabled = admin.bool("enabled", !keys.isEmpty());
        if (explicit && enabled && items == null) {
            problems.error(admin.origin("enabled"), "admin.enabled is true but admin.keys is empty: the admin API "
                    + "never runs without a credential; add a key or set enabled: false");
        }
        return new Bound(keys, enabled);
    }

    /**
     * Refuses an admin key that is also a virtual key: a data-plane key must never open admin routes, and an admin
     * key handed to an application must not pass as its key either. Keys of a disabled API count too: turning it
     * on must not be what opens it to an application's key.
     */
    static void checkSeparate(List<AdminKey> admin, List<KeyConfig> keys, Diagnostics problems) {
        for (KeyConfig key : keys) {
            if (admin.stream().anyMatch(a -> a.hash().equals(key.hash()))) {
                problems.error(key.origin(), "key '" + key.name() + "' has the hash of an admin key: the same "
                        + "secret cannot be both a virtual key and an admin key (admin.keys)");
            }
        }
    }

    private AdminKey key(YamlNode item, String path, Map<String, Origin> names, Diagnostics problems) {
        if (item instanceof YamlNode.Mapping) {
            MappingReader entry = MappingReader.of(item, path, KEY_KEYS, problems);
            entry.requirePresent("hash");
            KeyHash hash = entry.has("hash") ? hash(entry.value("hash"), entry.path("hash"), problems) : null;
            AdminKey.Role role = role(entry, problems);
            String name = entry.string("name");
            if (name != null && !NAME.matcher(name).matches()) {
                problems.error(entry.origin("name"), "a name is 1 to 64 letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit");
                name = null;
            } else if (name != null && names.putIfAbsent(name, entry.origin("name")) != null) {
                problems.error(entry.origin("name"), "admin key name '" + name + "' is used twice");
            }
            return hash == null || role == null ? null : new AdminKey(hash, role, name);
        }
        KeyHash hash = hash(item, path, problems);
        return hash == null ? null : AdminKey.admin(hash);
    }

    private static AdminKey.Role role(MappingReader entry, Diagnostics problems) {
        String text = entry.string("role");
        if (text == null) {
            return entry.has("role") ? null : AdminKey.Role.ADMIN;
        }
        for (AdminKey.Role role : AdminKey.Role.values()) {
            if (role.label().equals(text)) {
                return role;
            }
        }
        problems.error(entry.origin("role"), "expected admin or viewer, got '" + text + "'");
        return null;
    }

    private KeyHash hash(YamlNode node, String path, Diagnostics problems) {
        YamlNode.Scalar scalar = MappingReader.itemScalar(node, path, EXPECTED, problems);
        if (scalar == null) {
            return null;
        }
        Origin at = scalar.origin(path);
        String text = scalar.text();
        if (SecretReferences.isReference(text)) {
            Secret secret = secrets.resolve(text, at, problems);
            return secret == null ? null : KeyHash.of(secret.reveal());
        }
        KeyHash hash = KeyHash.parse(text);
        if (hash == null) {
            // Never repeat the value: it may be the raw key itself.
            problems.error(at, "expected " + EXPECTED + "; a raw admin key never goes in the file");
        }
        return hash;
    }
}
