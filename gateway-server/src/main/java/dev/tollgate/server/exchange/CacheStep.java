package dev.tollgate.server.exchange;

import dev.tollgate.core.cache.AnswerAssembler;
import dev.tollgate.core.cache.CacheEntry;
import dev.tollgate.core.cache.CacheKey;
import dev.tollgate.core.cache.CachePolicy;
import dev.tollgate.core.cache.CacheResult;
import dev.tollgate.core.cache.CacheSettings;
import dev.tollgate.core.cache.CacheUse;
import dev.tollgate.core.cache.ResponseCache;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.server.access.Caller;
import dev.tollgate.server.store.RedisResponseCache;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The response cache's part in one chat exchange: the lookup once the request is admitted, then (on a miss or a
 * refresh) the answer to store once it is complete and successful. Event-loop thread only.
 *
 * <p>The {@code x-tollgate-cache} response header says what happened ({@code hit}, {@code miss}, {@code bypass},
 * {@code refresh}). An exchange has no cache step while no model caches, so a gateway without a cache answers as
 * it always did: no header, and the client's cache controls are not even read.
 */
final class CacheStep {
    static final String HEADER = "x-tollgate-cache";

    private static final CompletionStage<ResponseCache.Hit> NONE = CompletableFuture.completedFuture(null);

    private final ResponseCache store;
    private final RedisResponseCache shared;
    private final CacheSettings settings;
    private final CacheControls controls;
    private CacheResult result;
    private CachePolicy policy;
    private CacheKey key;
    private ResponseCache.Hit hit;
    private AnswerAssembler transcript;
    private ChatResponse answer;

    /** @param shared the second level every replica shares, or null */
    CacheStep(ResponseCache store, RedisResponseCache shared, CacheSettings settings, CacheControls controls) {
        this.store = store;
        this.shared = shared;
        this.settings = settings;
        this.controls = controls;
    }

    /**
     * Looks the request up for model group {@code model}: in this process's store, then (on a miss there) in the
     * shared one, whose answer is kept here too. Completes with the stored answer to serve, or null to go upstream;
     * at once unless the shared store is asked, and then on the store's thread. The request is decoded only for a
     * model that caches: a same-dialect request to any other is relayed without ever being read.
     */
    CompletionStage<ResponseCache.Hit> lookup(String model, Supplier<ChatRequest> request, Caller caller) {
        policy = settings.policy(model);
        if (!policy.enabled() || !policy.cacheable(request.get())) {
            result = CacheResult.BYPASS;
            return NONE;
        }
        key = CacheKey.of(policy.scope().id(caller.keyName(), caller.teamName()), model, request.get());
        if (controls.noCache()) {
            result = CacheResult.REFRESH;
            return NONE;
        }
        ResponseCache.Hit local = store.get(key);
        if (local != null || shared == null) {
            return CompletableFuture.completedFuture(local);
        }
        CacheKey asked = key;
        return shared.get(asked).thenApply(remote -> {
            if (remote != null) {
                store.put(asked, remote.entry()); // for the rest of its ttl, so this replica asks Redis once
            }
            return remote;
        });
    }

    /** The lookup's outcome, on the exchange's loop: sets the response's cache headers; returns {@code found}. */
    ResponseCache.Hit found(ResponseCache.Hit found, HttpHeaders headers) {
        hit = found;
        if (result == null) {
            result = found != null ? CacheResult.HIT : CacheResult.MISS;
        }
        headers.set(HEADER, result.label());
        if (found != null) {
            headers.set("age", Long.toString(found.age().toSeconds()));
        }
        return found;
    }

    /** Whether the upstream's answer is to be kept: a miss or refresh the client did not mark {@code no-store}. */
    boolean storing() {
        return key != null && hit == null && !controls.noStore();
    }

    /**
     * A fresh gatherer for one attempt's stream when its answer is to be kept, null otherwise: an attempt that
     * failed before the commit point and was retried leaves nothing behind in the next one's answer.
     */
    AnswerAssembler transcript() {
        transcript = storing() ? new AnswerAssembler() : null;
        return transcript;
    }

    /** The stream ended cleanly: its gathered answer is the one to keep (the stream's model, else {@code model}). */
    void streamed(String model, Usage usage) {
        if (transcript != null) {
            answer = transcript.result(model, usage);
        }
    }

    /** The complete, successful upstream answer (null when it could not be read): kept by {@link #finished}. */
    void answered(ChatResponse response) {
        answer = response;
    }

    /**
     * The exchange ended: stores the answer it got, if it succeeded, qualifies and fits. An answer from a fallback
     * model is not stored: the entry would serve another model's answer as the asked-for model's, for its whole
     * ttl, long after that model recovered (and a hit carries no sign of the fallback).
     *
     * @param succeeded the client got the whole answer, status 200
     * @param answeredBy the model group whose deployment answered
     * @param cost what the request was charged: what a hit on this entry saves
     */
    void finished(boolean succeeded, String answeredBy, Money cost) {
        if (!succeeded || answer == null || !storing() || !key.model().equals(answeredBy)
                || !policy.storable(answer)) {
            return;
        }
        var entry = new CacheEntry(answer, cost, policy.ttlFor(controls.ttl()));
        if (entry.bytes() <= policy.maxEntryBytes()) {
            store.put(key, entry);
            if (shared != null) {
                shared.put(key, entry);
            }
        }
    }

    /** For the summary: what the cache did, or null when it played no part. */
    CacheUse use() {
        if (result == null) {
            return null;
        }
        return new CacheUse(result, hit == null ? Money.ZERO : hit.entry().cost());
    }
}
