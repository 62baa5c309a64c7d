package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.runtime.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Binds {@code admin}: the keys that open the admin API. Each is a hash ({@code sha256:...}, as for virtual keys)
 * or a reference ({@code ${env:TOLLGATE_ADMIN_KEY}}, {@code ${file:/run/secrets/admin}}) whose value is hashed at
 * load, so the process never keeps a raw admin key after startup. A raw key written in the file is refused.
 */
final class AdminSection {
    static final Set<String> KEYS = Set.of("keys");
    private static final String EXPECTED = "sha256:<64 hex digits> or a ${env:NAME} / ${file:/path} reference";

    private final SecretReferences secrets;

    AdminSection(SecretReferences secrets) {
        this.secrets = requireNonNull(secrets, "secrets");
    }

    /** The admin key hashes; none when the section is absent (the admin API's key routes are then off). */
    List<KeyHash> bind(MappingReader admin, Diagnostics problems) {
        List<YamlNode> items = admin.items("keys", "an empty list leaves the admin API closed; remove admin instead");
        var hashes = new ArrayList<KeyHash>();
        for (int i = 0; items != null && i < items.size(); i++) {
            String itemPath = Origin.itemPath(admin.path("keys"), i);
            YamlNode.Scalar scalar = MappingReader.itemScalar(items.get(i), itemPath, EXPECTED, problems);
            if (scalar == null) {
                continue;
            }
            Origin at = scalar.origin(itemPath);
            String text = scalar.text();
            KeyHash hash;
            if (SecretReferences.isReference(text)) {
                Secret secret = secrets.resolve(text, at, problems);
                hash = secret == null ? null : KeyHash.of(secret.reveal());
            } else {
                hash = KeyHash.parse(text);
                if (hash == null) {
                    // Never repeat the value: it may be the raw key itself.
                    problems.error(at, "expected " + EXPECTED + "; a raw admin key never goes in the file");
                }
            }
            if (hash != null) {
                if (hashes.contains(hash)) {
                    problems.error(at, "the same admin key is listed twice");
                } else {
                    hashes.add(hash);
                }
            }
        }
        return hashes;
    }
}
