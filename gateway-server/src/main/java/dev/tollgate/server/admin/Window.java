package dev.tollgate.server.admin;

import static dev.tollgate.server.admin.AdminApi.param;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.time.Instant;

/**
 * The time window of a listing that reads back from now ({@code ?since&before}): from {@code since} (by default a
 * fixed span ago) to before {@code before} (by default no bound), each a date or an instant.
 */
record Window(Instant since, Instant before) {
    /** How far back a listing reads when {@code since} is not given. */
    static final Duration DEFAULT_SPAN = Duration.ofDays(30);

    /** @throws IllegalArgumentException a message naming the parameter that is wrong */
    static Window of(QueryStringDecoder uri, Instant now) {
        Instant since = AdminApi.instant(param(uri, "since"), now.minus(DEFAULT_SPAN), "since");
        Instant before = AdminApi.instant(param(uri, "before"), Instant.MAX, "before");
        if (!before.isAfter(since)) {
            throw new IllegalArgumentException("'before' must be after 'since'.");
        }
        return new Window(since, before);
    }

    /**
     * The {@code limit} parameter, from 1 to {@code max}; {@code fallback} when it is not given.
     *
     * @throws IllegalArgumentException when it is no whole number in that range
     */
    static int limit(QueryStringDecoder uri, int fallback, int max) {
        String text = param(uri, "limit");
        if (text == null) {
            return fallback;
        }
        int limit;
        try {
            limit = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > max) {
            throw new IllegalArgumentException("'limit' must be a whole number from 1 to " + max + ".");
        }
        return limit;
    }
}
