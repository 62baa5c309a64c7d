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
import io.netty.handler.codec.http.HttpHeaders;
import java.util.function.Consumer;

/**
 * The response cache's part in one chat exchange: the lookup once the request is admitted, then (on a miss or a
 * refresh) the answer to store once it is complete and successful. A miss also boards the {@link Flight} of its
 * key: it leads it (goes upstream and shares the answer with identical requests that arrive meanwhile) or follows
 * it (waits for that answer instead of going upstream). Event-loop thread only.
 *
 * <p>The {@code x-tollgate-cache} response header says what happened ({@code hit}, {@code miss}, {@code bypass},
 * {@code refresh}, {@code coalesced}); it is left out altogether while no model caches, so a gateway without a
 * cache answers as it always did.
 */
final class CacheStep {
    static final String HEADER = "x-tollgate-cache";

    private final ResponseCache store;
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

    CacheStep(ResponseCache store, Flights flights, CacheSettings settings, CacheControls controls) {
        this.store = store;
        this.flights = flights;
        this.settings = settings;
        this.controls = controls;
    }

    /**
     * Whether model group {@code model} caches at all; when it does not, the response says {@code bypass} and the
     * request is never decoded for a lookup (passthrough traffic is otherwise relayed without a full decode).
     */
    boolean appliesTo(String model, HttpHeaders headers) {
        policy = settings.policy(model);
        if (!policy.enabled()) {
            result = CacheResult.BYPASS;
            headers.set(HEADER, result.label());
        }
        return policy.enabled();
    }

    /**
     * Looks {@code request} up for the model group {@link #appliesTo} accepted, setting the response header.
     * Returns the stored answer to serve, or null to go upstream.
     */
    ResponseCache.Hit lookup(String model, ChatRequest request, Caller caller, HttpHeaders headers) {
        if (!policy.cacheable(request)) {
            result = CacheResult.BYPASS;
        } else {
            key = CacheKey.of(policy.scope().id(caller.keyName(), caller.teamName()), model, request);
            hit = controls.noCache() ? null : store.get(key);
            result = controls.noCache() ? CacheResult.REFRESH : hit != null ? CacheResult.HIT : CacheResult.MISS;
        }
        headers.set(HEADER, result.label());
        if (hit != null) {
            headers.set("age", Long.toString(hit.age().toSeconds()));
        }
        return hit;
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
     * fits.
     *
     * @param succeeded the client got the whole answer, status 200
     * @param cost what the request was charged: what a hit on this entry saves
     * @param kind how it failed, null when it did not
     */
    void finished(boolean succeeded, Money cost, ErrorKind kind) {
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
        if (!succeeded || answer == null || !storing() || !policy.storable(answer)) {
            return;
        }
        var entry = new CacheEntry(answer, cost, policy.ttlFor(controls.ttl()));
        if (entry.bytes() <= policy.maxEntryBytes()) {
            store.put(key, entry);
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
