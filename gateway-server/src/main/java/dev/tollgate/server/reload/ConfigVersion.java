package dev.tollgate.server.reload;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One applied config.
 *
 * @param number 1 for the config the process started with, then one more per applied change
 * @param hash {@code sha256:} and the hex digest of {@code text}: equal texts, equal hashes
 * @param actor who applied it: {@code startup}, {@code file watch}, or {@code admin:<hash prefix>} of the admin key
 * @param note why, when it is not a plain edit ({@code rollback to 2}), else null
 * @param text the YAML exactly as compiled, secret references unresolved; shown to admins only redacted
 */
public record ConfigVersion(int number, String hash, Instant appliedAt, String actor, String note, String text) {
    public ConfigVersion {
        requireNonNull(hash, "hash");
        requireNonNull(appliedAt, "appliedAt");
        requireNonNull(actor, "actor");
        requireNonNull(text, "text");
    }

    public static String hashOf(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Without the text: what a log line or a listing shows. */
    @Override
    public String toString() {
        return "ConfigVersion[" + number + ", " + hash + ", " + appliedAt + ", " + actor
                + (note == null ? "" : ", " + note) + "]";
    }
}
