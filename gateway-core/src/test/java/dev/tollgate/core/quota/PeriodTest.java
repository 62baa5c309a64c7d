package dev.tollgate.core.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class PeriodTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Instant at(String text) {
        return Instant.parse(text);
    }

    @Test
    void periodsFollowTheCalendarOfTheZone() {
        Instant now = at("2026-11-28T10:15:00Z"); // a Saturday
        assertThat(Period.DAILY.window(now, UTC))
                .isEqualTo(new PeriodWindow(at("2026-11-28T00:00:00Z"), at("2026-11-29T00:00:00Z")));
        assertThat(Period.WEEKLY.window(now, UTC))
                .isEqualTo(new PeriodWindow(at("2026-11-23T00:00:00Z"), at("2026-11-30T00:00:00Z")));
        assertThat(Period.MONTHLY.window(now, UTC))
                .isEqualTo(new PeriodWindow(at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z")));
        assertThat(Period.MONTHLY.window(now, BERLIN))
                .isEqualTo(new PeriodWindow(at("2026-10-31T23:00:00Z"), at("2026-11-30T23:00:00Z")));
        assertThat(Period.LIFETIME.window(now, UTC)).isEqualTo(PeriodWindow.LIFETIME);
        assertThat(PeriodWindow.LIFETIME.resets()).isFalse();
    }

    @Test
    void aDayAcrossADaylightSavingChangeIsShorterOrLonger() {
        PeriodWindow spring = Period.DAILY.window(at("2026-03-29T12:00:00Z"), BERLIN);
        assertThat(java.time.Duration.between(spring.start(), spring.end()).toHours()).isEqualTo(23);
        PeriodWindow autumn = Period.DAILY.window(at("2026-10-25T12:00:00Z"), BERLIN);
        assertThat(java.time.Duration.between(autumn.start(), autumn.end()).toHours()).isEqualTo(25);
    }

    @Test
    void theBoundaryBelongsToTheNewPeriod() {
        PeriodWindow w = Period.DAILY.window(at("2026-11-29T00:00:00Z"), UTC);
        assertThat(w.start()).isEqualTo(at("2026-11-29T00:00:00Z"));
        assertThat(w.id()).isEqualTo(at("2026-11-29T00:00:00Z").getEpochSecond());
    }

    @Test
    void limitsAndBudgetsRefuseNonsense() {
        assertThatThrownBy(() -> new Limits(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Limits.NONE.none()).isTrue();
        assertThat(new Limits(0, 0, 1).none()).isFalse();
        assertThatThrownBy(() -> new Budget(dev.tollgate.core.pricing.Money.ZERO, Period.DAILY, java.util.List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
