package dev.tollgate.core.quota;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;

/** A budget period on calendar boundaries in a time zone (weeks start on Monday), or the whole lifetime. */
public enum Period {
    DAILY, WEEKLY, MONTHLY, LIFETIME;

    /** The period that contains {@code now}. */
    public PeriodWindow window(Instant now, ZoneId zone) {
        LocalDate today = LocalDate.ofInstant(now, zone);
        LocalDate start;
        LocalDate next;
        switch (this) {
            case DAILY -> {
                start = today;
                next = today.plusDays(1);
            }
            case WEEKLY -> {
                start = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                next = start.plusWeeks(1);
            }
            case MONTHLY -> {
                start = today.withDayOfMonth(1);
                next = start.plusMonths(1);
            }
            case LIFETIME -> {
                return PeriodWindow.LIFETIME;
            }
            default -> throw new AssertionError(this);
        }
        // atStartOfDay(zone), not midnight: a zone whose clocks skip midnight starts the day at the first valid time.
        return new PeriodWindow(start.atStartOfDay(zone).toInstant(), next.atStartOfDay(zone).toInstant());
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
