package dev.tollgate.core.access;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The SHA-256 of a virtual key: the only form in which a key is stored, configured or logged (logs show
 * {@link #prefix()}). A plain hash is enough because keys are 32 random bytes: nothing to guess, nothing to salt.
 *
 * @param hex 64 lower-case hex digits
 */
public record KeyHash(String hex) {
    /** How a hash is written in config and shown by the admin API. */
    public static final String PREFIX = "sha256:";
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public KeyHash {
        requireNonNull(hex, "hex");
        if (!HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("a key hash is 64 lower-case hex digits");
        }
    }

    /** The hash of a raw key as a client sends it. */
    public static KeyHash of(String rawKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(rawKey.getBytes(StandardCharsets.UTF_8));
            return new KeyHash(HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Parses {@code sha256:<64 hex>}; null when {@code text} is not that. */
    public static KeyHash parse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            return null;
        }
        String hex = text.substring(PREFIX.length());
        return HEX.matcher(hex).matches() ? new KeyHash(hex) : null;
    }

    /** Eight hex digits: enough to tell keys apart in a log, useless for guessing one. */
    public String prefix() {
        return hex.substring(0, 8);
    }

    @Override
    public String toString() {
        return PREFIX + hex;
    }
}
