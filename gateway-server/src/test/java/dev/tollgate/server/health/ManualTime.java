package dev.tollgate.server.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock and a nanosecond ticker that move only when a test says so, together. */
final class ManualTime extends Clock {
    private volatile Instant now = Instant.parse("2025-06-01T12:00:00Z");
    private volatile long nanos = 1_000_000_000L;

    void advance(Duration by) {
        now = now.plus(by);
        nanos += by.toNanos();
    }

    long nanoTime() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** The same moving time, read in another zone. */
    @Override
    public Clock withZone(ZoneId zone) {
        ManualTime time = this;
        return new Clock() {
            @Override
            public Instant instant() {
                return time.instant();
            }

            @Override
            public ZoneId getZone() {
                return zone;
            }

            @Override
            public Clock withZone(ZoneId other) {
                return time.withZone(other);
            }
        };
    }
}
