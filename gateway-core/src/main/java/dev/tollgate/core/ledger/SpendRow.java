package dev.tollgate.core.ledger;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import java.time.Instant;

/**
 * One request's line in the ledger: written once when it ends, idempotent on {@code requestId}.
 *
 * @param at when the request ended; budget periods and report days are taken from it
 * @param key the virtual key's name, or null on an open gateway
 * @param team the key's team, or null
 * @param user the end user the client named, or null
 * @param route {@code chat}, {@code messages}, {@code embeddings}, {@code count_tokens}
 * @param model the public model name, or null when the request never resolved one
 * @param deployment the deployment that answered (the last attempt), or null
 * @param usage tokens; {@link Usage#reported()} false when the gateway estimated them
 * @param cost what this request was charged (zero for a refusal or a cache hit)
 * @param costEstimated true when the cost comes from estimated tokens or from the reservation of an unpriced model
 * @param clientRequestId the id the client was given ({@code x-request-id}) when it differs from {@code requestId}
 *     (the client chose it), else null: feedback names a request by it
 * @param tier the tier the request went through, or null
 * @param variant {@code <split>/<variant model>} when a split assigned it, or null
 * @param prompt the registry prompt it rendered, or null
 */
public record SpendRow(
        String requestId,
        Instant at,
        String key,
        String team,
        String user,
        String route,
        String model,
        String deployment,
        String provider,
        Usage usage,
        Money cost,
        boolean costEstimated,
        Outcome outcome,
        int status,
        boolean cacheHit,
        boolean stream,
        long latencyMillis,
        String clientRequestId,
        String tier,
        String variant,
        PromptUse prompt) {
    public SpendRow {
        requireNonNull(requestId, "requestId");
        requireNonNull(at, "at");
        requireNonNull(route, "route");
        requireNonNull(usage, "usage");
        requireNonNull(cost, "cost");
        requireNonNull(outcome, "outcome");
    }
}
