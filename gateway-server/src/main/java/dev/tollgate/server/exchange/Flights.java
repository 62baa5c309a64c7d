package dev.tollgate.server.exchange;

import dev.tollgate.core.cache.CacheKey;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The flights in the air in this process, by cache key: request coalescing. One per gateway, beside the cache
 * store; thread-safe.
 */
public final class Flights {
    private final ConcurrentHashMap<CacheKey, Flight> inFlight = new ConcurrentHashMap<>();

    /** What a request that missed the cache does. */
    sealed interface Boarding {
        /** No identical request is in flight: this one goes upstream and shares its answer. */
        record Leading(Flight flight) implements Boarding {}

        /** It waits on the identical request in flight. */
        record Following(Flight flight) implements Boarding {}

        /** The identical request in flight takes no more followers: this one goes upstream on its own. */
        record Alone() implements Boarding {}
    }

    /**
     * Leads a new flight for {@code key}, or joins the one in the air as {@code follower}.
     *
     * @param maxKeptBytes how much of a new flight's stream is kept for followers that join late
     */
    Boarding board(CacheKey key, long maxKeptBytes, Flight.Follower follower) {
        var fresh = new Flight(this, key, maxKeptBytes);
        Flight current = inFlight.putIfAbsent(key, fresh);
        if (current == null) {
            return new Boarding.Leading(fresh);
        }
        return current.join(follower) ? new Boarding.Following(current) : new Boarding.Alone();
    }

    void landed(CacheKey key, Flight flight) {
        inFlight.remove(key, flight);
    }
}
