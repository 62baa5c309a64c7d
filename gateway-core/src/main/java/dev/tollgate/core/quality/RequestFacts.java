package dev.tollgate.core.quality;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.prompt.PromptUse;
import java.time.Instant;

/**
 * What feedback on a request is attributed to and checked against: who made it and how it was routed.
 *
 * @param requestId the id the client was given ({@code x-request-id}); may be the client's own, so not unique
 * @param spendId the request's ledger row id: unique
 * @param at when the request ended
 * @param key the virtual key's name, or null on an open gateway
 * @param team the key's team, or null
 * @param model the model group that served it
 * @param tier the tier it went through, or null
 * @param variant {@code <split>/<variant model>} when a split assigned it, or null
 * @param prompt the registry prompt it rendered (version, experiment arm), or null
 */
public record RequestFacts(String requestId, String spendId, Instant at, String key, String team, String model,
                           String tier, String variant, PromptUse prompt) {
    public RequestFacts {
        requireNonNull(requestId, "requestId");
        requireNonNull(spendId, "spendId");
        requireNonNull(at, "at");
        requireNonNull(model, "model");
    }
}
