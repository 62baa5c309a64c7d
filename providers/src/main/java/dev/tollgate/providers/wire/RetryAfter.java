package dev.tollgate.providers.wire;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The HTTP-date form of a {@code Retry-After} header (RFC 9110 section 10.2.3). The delay-seconds form stays with
 * each provider: they read it with different precision and bounds, which their tests pin. Stateless.
 */
public final class RetryAfter {

    private RetryAfter() {}

    /**
     * The wait until the HTTP date {@code value} (already trimmed), counted from {@code now}: zero for a date already
     * past, null when {@code value} is not an HTTP date.
     */
    public static Duration untilDate(String value, Instant now) {
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
