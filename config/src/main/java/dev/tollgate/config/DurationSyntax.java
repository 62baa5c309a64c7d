package dev.tollgate.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the config writes them: a whole number and one unit, {@code 250ms}, {@code 15s}, {@code 10m} or
 * {@code 1h}, or a bare {@code 0}. Other numbers need a unit: a bare {@code 30} could mean seconds or milliseconds.
 * Public so that command-line flags take the same syntax as the file. Pure and thread-safe.
 */
public final class DurationSyntax {
    /** The accepted forms, also the JSON Schema pattern for durations. */
    static final String PATTERN = "^(0|([0-9]+)(ms|s|m|h))$";
    static final String EXPECTED = "expected a duration such as 250ms, 15s, 10m or 1h";

    private static final Pattern DURATION = Pattern.compile(PATTERN);
    private static final Map<String, ChronoUnit> UNITS =
            Map.of("ms", ChronoUnit.MILLIS, "s", ChronoUnit.SECONDS, "m", ChronoUnit.MINUTES, "h", ChronoUnit.HOURS);

    private DurationSyntax() {}

    /**
     * The duration.
     *
     * @throws IllegalArgumentException saying what is wrong, when {@code text} is not a duration or is absurdly long
     */
    public static Duration parse(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            String hint = text.matches("[0-9]+") ? " (a number needs a unit: " + text + "s or " + text + "ms)" : "";
            throw new IllegalArgumentException(EXPECTED + ", got '" + text + "'" + hint);
        }
        if (m.group(2) == null) {
            return Duration.ZERO;
        }
        try {
            return Duration.of(Long.parseLong(m.group(2)), UNITS.get(m.group(3)));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too long", e);
        }
    }

    /** The duration in the largest unit that expresses it exactly ({@code 15s}), for messages and docs. */
    static String format(Duration duration) {
        if (duration.isZero()) {
            return "0";
        }
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
    }
}
