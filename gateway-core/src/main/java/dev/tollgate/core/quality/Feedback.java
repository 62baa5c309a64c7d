package dev.tollgate.core.quality;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A caller's feedback on one request. One per request: a later one replaces it.
 *
 * @param request the request rated, with its attribution
 * @param at when the feedback arrived
 * @param comment the caller's words, PII-redacted, or null
 */
public record Feedback(RequestFacts request, Instant at, FeedbackScore score, String comment) {
    /** The longest comment accepted, in characters. */
    public static final int MAX_COMMENT_CHARS = 2_000;

    public Feedback {
        requireNonNull(request, "request");
        requireNonNull(at, "at");
        requireNonNull(score, "score");
        if (comment != null && comment.length() > MAX_COMMENT_CHARS) {
            throw new IllegalArgumentException("a comment holds at most " + MAX_COMMENT_CHARS + " characters");
        }
    }
}
