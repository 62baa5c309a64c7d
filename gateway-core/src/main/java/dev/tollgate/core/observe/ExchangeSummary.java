package dev.tollgate.core.observe;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.cache.CacheResult;
import dev.tollgate.core.cache.CacheUse;
import dev.tollgate.core.guard.Verdict;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.spi.Operation;
import java.util.List;

/**
 * What one request did, written once when it ends: the access-log line and the metrics come from this record.
 * Never holds a secret or a prompt.
 *
 * @param route the API route ({@code chat}, {@code embeddings}, {@code models}, or {@code other})
 * @param operation what the route asks of a model, or null for a route that calls none (the model list, an
 *     unknown URL)
 * @param model the configured model group that served it (or was to), or null when the request named none that
 *     exists: never the client's own string
 * @param responseModel the model that answered, as {@link ResponseModel#of} bounds it; null when none answered
 * @param deployment the deployment id that served it, or null when none was tried
 * @param provider that deployment's provider id, or null
 * @param errorKind null on success
 * @param latencyNanos admission to the last byte written
 * @param firstTokenNanos admission to the first content byte written (streams), or -1
 * @param upstreamNanos time spent waiting on the upstream (request sent to last byte read), or -1
 * @param key the virtual key's name, or null (an open gateway, or a request refused before its key was known)
 * @param team the key's team, or null
 * @param user the end user the request named, or null
 * @param cost what the request was charged
 * @param costEstimated the cost rests on estimated tokens, a missing price, or a charged reservation
 * @param spendId the id of the request's spend-ledger row: unique even when clients reuse request ids
 * @param routing how it was routed; {@link RouteTrace#NONE} for a request refused before routing
 * @param cache what the response cache did, or null when no cache was in play (off for every model, or not a chat)
 * @param prompt the registry prompt the request rendered, or null when it named none
 * @param guardrails the verdicts of the guardrails that flagged, redacted or blocked something, input first; empty
 *     when none did
 */
public record ExchangeSummary(
        String requestId,
        String route,
        Operation operation,
        String model,
        String responseModel,
        String deployment,
        String provider,
        int status,
        Outcome outcome,
        ErrorKind errorKind,
        boolean stream,
        long latencyNanos,
        long firstTokenNanos,
        long upstreamNanos,
        Usage usage,
        String key,
        String team,
        String user,
        Money cost,
        boolean costEstimated,
        String spendId,
        RouteTrace routing,
        CacheUse cache,
        PromptUse prompt,
        List<Verdict> guardrails) {
    public ExchangeSummary {
        requireNonNull(requestId, "requestId");
        requireNonNull(route, "route");
        requireNonNull(outcome, "outcome");
        requireNonNull(usage, "usage");
        requireNonNull(cost, "cost");
        requireNonNull(spendId, "spendId");
        requireNonNull(routing, "routing");
        guardrails = List.copyOf(guardrails);
    }

    /** A summary of a request no guardrail touched: every route but a guarded chat. */
    public ExchangeSummary(String requestId, String route, Operation operation, String model, String responseModel,
                           String deployment, String provider, int status, Outcome outcome, ErrorKind errorKind,
                           boolean stream, long latencyNanos, long firstTokenNanos, long upstreamNanos, Usage usage,
                           String key, String team, String user, Money cost, boolean costEstimated, String spendId,
                           RouteTrace routing, CacheUse cache, PromptUse prompt) {
        this(requestId, route, operation, model, responseModel, deployment, provider, status, outcome, errorKind,
                stream, latencyNanos, firstTokenNanos, upstreamNanos, usage, key, team, user, cost, costEstimated,
                spendId, routing, cache, prompt, List.of());
    }

    /**
     * Whether the request reached a provider, was charged, or was answered from the cache: only those are
     * spend-ledger rows.
     */
    public boolean billable() {
        return upstreamNanos >= 0 || !cost.isZero() || cacheHit();
    }

    /**
     * Whether the answer came from the response cache, or from an identical request in flight: either way this
     * one made no upstream call.
     */
    public boolean cacheHit() {
        return cache != null && (cache.result() == CacheResult.HIT || cache.result() == CacheResult.COALESCED);
    }
}
