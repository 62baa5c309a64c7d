package dev.tollgate.core.quality;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A listing of review samples or feedback, newest first.
 *
 * @param model only this model group, or null for all
 * @param key only this key's requests, or null for all
 * @param since only those at or after this instant
 * @param before only those before this instant: the {@code at} of the last one of a listing gives the next page
 * @param limit at most this many
 */
public record ReviewQuery(String model, String key, Instant since, Instant before, int limit) {
    public static final int MAX_LIMIT = 1_000;

    public ReviewQuery {
        requireNonNull(since, "since");
        requireNonNull(before, "before");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit runs from 1 to " + MAX_LIMIT);
        }
    }
}
