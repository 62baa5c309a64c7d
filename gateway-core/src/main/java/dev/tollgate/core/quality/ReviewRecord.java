package dev.tollgate.core.quality;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A stored review sample and the feedback its request got, if any.
 *
 * @param feedback null when the request was not rated
 */
public record ReviewRecord(ReviewSample sample, Feedback feedback) {
    public ReviewRecord {
        requireNonNull(sample, "sample");
    }

    public Instant at() {
        return sample.request().at();
    }
}
