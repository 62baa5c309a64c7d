package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One budget period: spend recorded at or after {@code start} and before {@code end} counts against it.
 *
 * @param end {@link Instant#MAX} for the lifetime period, which never resets
 */
public record PeriodWindow(Instant start, Instant end) {
    public static final PeriodWindow LIFETIME = new PeriodWindow(Instant.EPOCH, Instant.MAX);

    public PeriodWindow {
        requireNonNull(start, "start");
        requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("empty period " + start + ".." + end);
        }
    }

    public boolean resets() {
        return !end.equals(Instant.MAX);
    }

    /** A stable id for store keys: the start in epoch seconds ({@code 0} for the lifetime). */
    public long id() {
        return start.getEpochSecond();
    }
}
