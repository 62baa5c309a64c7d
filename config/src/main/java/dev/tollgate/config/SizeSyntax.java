package dev.tollgate.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as the config writes them: a whole number of bytes ({@code 1048576}), or a whole number with a unit.
 * Binary units ({@code B}, {@code KiB}, {@code MiB}, {@code GiB}) are powers of 1024; decimal units ({@code KB},
 * {@code MB}, {@code GB}) powers of 1000, as on a disk label. Units are case-sensitive so that a lower-case
 * {@code mb} is rejected rather than guessed at.
 */
final class SizeSyntax {
    /** The accepted forms, also the JSON Schema pattern for sizes. */
    static final String PATTERN = "^[0-9]+(B|KiB|MiB|GiB|KB|MB|GB)?$";
    static final String EXPECTED =
            "expected a size such as 16KiB, 10MiB or 1048576 (units: B, KiB, MiB, GiB, KB, MB, GB)";

    private static final Pattern SIZE = Pattern.compile(PATTERN);
    private static final Map<String, Long> UNITS = Map.of(
            "B", 1L, "KiB", 1L << 10, "MiB", 1L << 20, "GiB", 1L << 30,
            "KB", 1_000L, "MB", 1_000_000L, "GB", 1_000_000_000L);

    private SizeSyntax() {}

    /**
     * The size in bytes.
     *
     * @throws IllegalArgumentException saying what is wrong, when {@code text} is not a size or overflows a long
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(EXPECTED + ", got '" + text + "'");
        }
        String unit = m.group(1) == null ? "B" : m.group(1);
        String digits = text.substring(0, text.length() - (m.group(1) == null ? 0 : unit.length()));
        try {
            return Math.multiplyExact(Long.parseLong(digits), UNITS.get(unit));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large", e);
        }
    }

    /** The size in the largest binary unit that divides it ({@code 10MiB}), for messages and docs. */
    static String format(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        for (String unit : units) {
            long factor = UNITS.get(unit);
            if (bytes != 0 && bytes % factor == 0) {
                return bytes / factor + unit;
            }
        }
        return bytes + "B";
    }
}
