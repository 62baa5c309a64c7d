package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.GatewayError;
import java.time.Duration;

/** What to do after an attempt failed before the response was committed. */
public sealed interface RetryDecision {

    /** Send the same request to the same deployment again after {@code after}. */
    record RetrySame(Duration after) implements RetryDecision {
        public RetrySame {
            requireNonNull(after, "after");
        }
    }

    /** Send it to another deployment (of the same group, or of a fallback group). */
    record TryNext(Candidate candidate) implements RetryDecision {
        public TryNext {
            requireNonNull(candidate, "candidate");
        }
    }

    /** Stop and answer the client with {@code error} (the last failure, or why nothing more was tried). */
    record GiveUp(GatewayError error) implements RetryDecision {
        public GiveUp {
            requireNonNull(error, "error");
        }
    }
}
