package dev.tollgate.core.routing;

import dev.tollgate.core.model.GatewayError;
import java.time.Duration;
import java.util.List;

/**
 * The route of one request: which tier and variant it took, and the cursor over its candidates. The first
 * candidate is chosen by the group's rules and strategy among its available deployments; after a failure
 * {@link #next} decides, by the kind of failure, between retrying the same deployment, another deployment of the
 * group, a fallback group, and giving up. Not thread-safe: one exchange's event loop owns it.
 */
public final class RoutePlan {

    /** The model group the request resolved to (before any fallback). */
    public String model() {
        throw new UnsupportedOperationException("TODO");
    }

    /** The tier the request went to, or null when it named a model group. */
    public String tier() {
        throw new UnsupportedOperationException("TODO");
    }

    /** The automatic-tier rule that chose the tier, or null (a default, or no automatic selection). */
    public String tierRule() {
        throw new UnsupportedOperationException("TODO");
    }

    /** {@code <split name>/<variant model>} when a split assigned the request, else null. */
    public String variant() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * The first candidate, or a {@link RetryDecision.GiveUp} with a 503 ({@code retryAfter} set to the soonest
     * recovery) when no deployment of the group or its fallbacks is available. Called once.
     */
    public RetryDecision first() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * What to do after the current candidate failed with {@code error} before the response was committed.
     *
     * <ul>
     *   <li>Not retryable, and not a context-length or content-filter refusal: {@link RetryDecision.GiveUp} with
     *       the error as it is (a client error stays the client's).</li>
     *   <li>Context too long: the first available deployment of the {@code onContextTooLong} fallbacks, else give
     *       up. Content filter: likewise with {@code onContentFilter}.</li>
     *   <li>Rate limited by the provider: never the same deployment before its {@code retryAfter}; another
     *       available deployment of the group, then the {@code onError} fallbacks; with none left, wait out the
     *       {@code retryAfter} on the same deployment when it is within {@code maxRetryAfter} and {@code left},
     *       else give up with the error (its {@code retryAfter} kept for the client).</li>
     *   <li>Other retryable errors: another available deployment of the group, then the {@code onError} fallbacks;
     *       with none left, the same deployment again (up to {@code sameDeployment} times, exponential backoff
     *       with full jitter, at least the error's {@code retryAfter}), if the wait fits in {@code left}.</li>
     * </ul>
     * Every decision other than giving up takes one retry from the budget (no budget: give up), and no request
     * makes more than {@code maxAttempts} attempts. Fallbacks are skipped when the client turned them off.
     *
     * @param left time until the request's deadline
     */
    public RetryDecision next(GatewayError error, Duration left) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Attempts made so far (the first counts). */
    public int attempts() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Deployment ids tried so far, in order (a retry of the same one is listed again). */
    public List<String> tried() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Whether a fallback group was used (the {@code x-tollgate-fallback} header is sent then). */
    public boolean fellBack() {
        throw new UnsupportedOperationException("TODO");
    }
}
