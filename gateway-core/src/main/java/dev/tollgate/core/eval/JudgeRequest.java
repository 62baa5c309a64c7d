package dev.tollgate.core.eval;

import static java.util.Objects.requireNonNull;

/**
 * The chat a judge is sent: a system message and one user message. The call also asks for
 * {@link Rubrics#VERDICT_SCHEMA} as its response format.
 *
 * @param system the system message, or null when the rubric has none
 * @param user the user message; never empty
 */
public record JudgeRequest(String system, String user) {
    public JudgeRequest {
        requireNonNull(user, "user");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("a judge is sent a user message");
        }
    }
}
