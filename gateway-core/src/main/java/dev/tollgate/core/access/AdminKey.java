package dev.tollgate.core.access;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * A key that opens the admin API: its hash, what it may do and, optionally, a name that audit lines show instead of
 * the hash's first digits.
 *
 * @param name null for an unnamed key
 */
public record AdminKey(KeyHash hash, Role role, String name) {
    /** Hex digits of the hash that name an unnamed key in audit lines: enough to tell keys apart. */
    private static final int ACTOR_HEX = 12;

    public AdminKey {
        requireNonNull(hash, "hash");
        requireNonNull(role, "role");
    }

    /** A key as a plain hash in the config: an admin, unnamed (the form before roles existed). */
    public static AdminKey admin(KeyHash hash) {
        return new AdminKey(hash, Role.ADMIN, null);
    }

    /** Who this key is in audit lines and config versions; never the key or its whole hash. */
    public String actor() {
        return name != null ? name : "admin:" + hash.hex().substring(0, ACTOR_HEX);
    }

    /** What an admin key may do. */
    public enum Role {
        /** Every admin route. */
        ADMIN,
        /** Routes that read, and the few that compute an answer without changing anything. */
        VIEWER;

        /** As written in the config ({@code admin}, {@code viewer}). */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
