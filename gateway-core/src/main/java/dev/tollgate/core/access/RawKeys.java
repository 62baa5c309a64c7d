package dev.tollgate.core.access;

import java.math.BigInteger;
import java.security.SecureRandom;

/** Makes new virtual keys: {@code tg-} and 32 random bytes in base62, shown once and then kept only as a hash. */
public final class RawKeys {
    public static final String PREFIX = "tg-";
    /** 32 bytes need at most 43 base62 digits; shorter numbers are left-padded so every key has one length. */
    static final int DIGITS = 43;
    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final BigInteger BASE = BigInteger.valueOf(62);

    private RawKeys() {}

    public static String generate(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        BigInteger n = new BigInteger(1, bytes);
        char[] out = new char[DIGITS];
        for (int i = DIGITS - 1; i >= 0; i--) {
            BigInteger[] qr = n.divideAndRemainder(BASE);
            out[i] = ALPHABET[qr[1].intValue()];
            n = qr[0];
        }
        return PREFIX + new String(out);
    }
}
