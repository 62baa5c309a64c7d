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
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.server.access.Caller;
import dev.tollgate.server.store.RedisResponseCache;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The response cache's part in one chat exchange: the lookup before any deployment is tried, then (on a miss or
 * a refresh) the answer to store once it is complete and successful. A miss also boards the {@link Flight} of its
 * key: it leads it (goes upstream and shares the answer with identical requests that arrive meanwhile) or follows
 * it (waits for that answer instead of going upstream). Event-loop thread only.
 *
 * <p>The {@code x-tollgate-cache} response header says what happened ({@code hit}, {@code miss}, {@code bypass},
 * {@code refresh}, {@code coalesced}). An exchange has no cache step while no model caches, so a gateway without a cache answers as
 * it always did: no header, and the client's cache controls are not even read.
 */
final class CacheStep {
    static final String HEADER = "x-tollgate-cache";

    private static final CompletionStage<ResponseCache.Hit> NONE = CompletableFuture.completedFuture(null);

    private final ResponseCache store;
    private final RedisResponseCache shared;
    private final Flights flights;
    private final CacheSettings settings;
    private final CacheControls controls;
    private CacheResult result;
    private CachePolicy policy;
    private CacheKey key;
    private ResponseCache.Hit hit;
    private AnswerAssembler transcript;
    private ChatResponse answer;
    /** The flight this request leads or follows; null when it does neither. */
    private Flight flight;
    private boolean leading;

    /**
     * @param shared the second level every replica shares, or null
     * @param flights the identical requests in flight in this process
     */
    CacheStep(ResponseCache store, RedisResponseCache shared, Flights flights, CacheSettings settings,
              CacheControls controls) {
        this.store = store;
        this.shared = shared;
        this.flights = flights;
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

    /** Whether the lookup missed a cacheable request: one that may follow an identical request in flight. */
    boolean missed() {
        return result == CacheResult.MISS;
    }

    /**
     * After a miss: follows the identical request in flight as {@code follower} (true: wait for its answer, the
     * response header says {@code coalesced}), or leads a new flight (false: go upstream). A refresh does
     * neither: it asked for an answer newer than any already on its way. So does a request whose identical
     * request in flight has grown past the model's entry size limit: it goes upstream on its own.
     */
    boolean follows(Flight.Follower follower, HttpHeaders headers) {
        if (result != CacheResult.MISS) {
            return false;
        }
        switch (flights.board(key, policy.maxEntryBytes(), follower)) {
            case Flights.Boarding.Leading l -> {
                flight = l.flight();
                leading = true;
            }
            case Flights.Boarding.Following f -> {
                flight = f.flight();
                result = CacheResult.COALESCED;
                headers.set(HEADER, result.label());
                return true;
            }
            case Flights.Boarding.Alone a -> { }
        }
        return false;
    }

    /** The model's entry size limit: also how far a follower's stream may fall behind. */
    long maxEntryBytes() {
        return policy.maxEntryBytes();
    }

    /** The flight this request follows (after {@link #follows} said so). */
    Flight flight() {
        return flight;
    }

    /** The leader failed before this follower got anything: it goes upstream on its own, as a plain miss. */
    void orphaned(HttpHeaders headers) {
        flight = null;
        result = CacheResult.MISS;
        headers.set(HEADER, result.label());
    }

    /** Whether the upstream's answer is to be kept: a miss or refresh the client did not mark {@code no-store}. */
    boolean storing() {
        return key != null && hit == null && !controls.noStore()
                && (result == CacheResult.MISS || result == CacheResult.REFRESH);
    }

    /** Whether the upstream's complete answer is wanted: to store it, or to hand it to the flight's followers. */
    boolean gathering() {
        return storing() || leading;
    }

    /**
     * A fresh gatherer for one attempt's stream when its answer is wanted, null otherwise: an attempt that
     * failed before the commit point and was retried leaves nothing behind in the next one's answer.
     */
    AnswerAssembler transcript() {
        transcript = gathering() ? new AnswerAssembler() : null;
        return transcript;
    }

    /**
     * Where a leader's stream passes its committed events to the followers, or null when it leads no flight.
     *
     * @param model named in a start event that names none, as the client's own stream does
     */
    Consumer<StreamEvent> sharing(String model) {
        if (!leading) {
            return null;
        }
        Flight shared = flight;
        return e -> shared.publish(e instanceof StreamEvent.Start s && (s.model() == null || s.model().isEmpty())
                ? new StreamEvent.Start(s.id(), model, s.created()) : e);
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
     * The exchange ended: a leader's followers get its answer (whether or not it qualifies for storing: it is the
     * answer to their identical question) or its failure; then the answer is stored if it succeeded, qualifies and
     * fits. An answer from a fallback model is not stored: the entry would serve another model's answer as the
     * asked-for model's, for its whole ttl, long after that model recovered (and a hit carries no sign of the
     * fallback).
     *
     * @param succeeded the client got the whole answer, status 200
     * @param answeredBy the model group whose deployment answered
     * @param cost what the request was charged: what a hit on this entry saves
     * @param kind how it failed, null when it did not
     */
    void finished(boolean succeeded, String answeredBy, Money cost, ErrorKind kind) {
        if (leading) {
            leading = false;
            if (succeeded && answer != null) {
                flight.complete(answer, cost);
            } else {
                flight.fail(GatewayError.of(ErrorKind.PROVIDER_ERROR, "the request that went upstream for it "
                        + (kind == null ? "got an answer that cannot be shared" : "failed (" + kind.label() + ")")
                        + "."));
            }
        }
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

    /**
     * For the summary: what the cache did, or null when it played no part.
     *
     * @param coalescedSaving what the leader paid for the answer a follower got; zero otherwise
     */
    CacheUse use(Money coalescedSaving) {
        if (result == null) {
            return null;
        }
        return new CacheUse(result, hit != null ? hit.entry().cost() : coalescedSaving);
    }
}
