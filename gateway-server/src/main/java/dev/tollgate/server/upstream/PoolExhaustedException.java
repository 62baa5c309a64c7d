package dev.tollgate.server.upstream;

/** No connection to an origin could be had: all are busy and the wait queue is full or the wait ran out. */
public final class PoolExhaustedException extends RuntimeException {
    public PoolExhaustedException(Origin origin, boolean waited) {
        super((waited ? "timed out waiting for a connection to " : "too many requests queued for ") + origin,
                null, false, false);
    }
}
