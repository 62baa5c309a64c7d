package dev.tollgate.core.quality;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;

/**
 * One request/answer pair kept for human review, already PII-redacted and cut to size.
 *
 * @param request who made it and how it was routed
 * @param deployment the deployment that answered, or null (a cache hit)
 * @param latencyMillis admission to the last byte
 * @param prompt the request's messages as {@code role: text} lines, redacted
 * @param answer the answer's text (and tool calls), redacted; empty when there was none
 */
public record ReviewSample(RequestFacts request, String deployment, Usage usage, Money cost, long latencyMillis,
                           boolean stream, ReviewText prompt, ReviewText answer) {
    public ReviewSample {
        requireNonNull(request, "request");
        requireNonNull(usage, "usage");
        requireNonNull(cost, "cost");
        requireNonNull(prompt, "prompt");
        requireNonNull(answer, "answer");
    }
}
