package dev.tollgate.server.exchange;

import dev.tollgate.core.cache.CacheKey;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.pricing.Money;
import java.util.ArrayList;
import java.util.List;

/**
 * One upstream call that identical cacheable requests share: the leader makes it, the followers that arrive while
 * it is in the air receive its answer instead of making their own. The leader publishes the canonical events its
 * client has been committed to (never those of an attempt that may still be retried), then the complete answer, or
 * a failure. Followers may live on other event loops: a {@link Follower} only queues what it is handed onto its own
 * loop, so the lock here guards this object's fields and the order of those hand-offs, never a channel write.
 *
 * <p>The events so far are kept for followers that join late, up to the model's entry size limit; past it the
 * flight is closed to new followers (they go upstream on their own), while those already aboard keep receiving.
 */
final class Flight {

    /** Fixed cost of one kept event over its text: the object and its references, roughly. */
    private static final long EVENT_OVERHEAD_BYTES = 64;

    /** A request waiting on the flight. Each method must only hand the work to the follower's own loop. */
    interface Follower {
        /** Canonical stream events, in order: first those produced before it joined, then each as it comes. */
        void events(List<StreamEvent> events);

        /** The leader's complete answer, and what the leader was charged for it. */
        void completed(ChatResponse answer, Money cost);

        /** The leader failed or gave up: nothing more comes. */
        void failed(GatewayError error);
    }

    private final Flights registry;
    private final CacheKey key;
    private final long maxKeptBytes;
    private final List<Follower> followers = new ArrayList<>();
    /** The events so far; null once they passed {@link #maxKeptBytes} (closed to new followers). */
    private List<StreamEvent> kept = new ArrayList<>();
    private long keptBytes;
    private boolean ended;

    Flight(Flights registry, CacheKey key, long maxKeptBytes) {
        this.registry = registry;
        this.key = key;
        this.maxKeptBytes = maxKeptBytes;
    }

    /** Takes {@code follower} aboard, handing it the events so far; false when it must go upstream itself. */
    synchronized boolean join(Follower follower) {
        if (ended || kept == null) {
            return false;
        }
        followers.add(follower);
        if (!kept.isEmpty()) {
            follower.events(List.copyOf(kept));
        }
        return true;
    }

    /** A follower that no longer waits (its client left, its deadline passed): the flight goes on without it. */
    synchronized void leave(Follower follower) {
        followers.remove(follower);
    }

    /** The leader's next committed event, passed to every follower. */
    synchronized void publish(StreamEvent event) {
        if (ended) {
            return;
        }
        if (kept != null) {
            keptBytes += EVENT_OVERHEAD_BYTES + 2L * textOf(event);
            if (keptBytes > maxKeptBytes) {
                kept = null;
            } else {
                kept.add(event);
            }
        }
        List<StreamEvent> one = List.of(event);
        for (Follower f : followers) {
            f.events(one);
        }
    }

    /** The leader's answer is complete: every follower gets it. */
    void complete(ChatResponse answer, Money cost) {
        for (Follower f : land()) {
            f.completed(answer, cost);
        }
    }

    /** The leader failed: every follower is told, and the next identical request leads a new flight. */
    void fail(GatewayError error) {
        for (Follower f : land()) {
            f.failed(error);
        }
    }

    /** Ends the flight: out of the registry first, so that no request joins it as it lands. */
    private List<Follower> land() {
        registry.landed(key, this);
        synchronized (this) {
            ended = true;
            kept = null;
            var aboard = List.copyOf(followers);
            followers.clear();
            return aboard;
        }
    }

    private static long textOf(StreamEvent event) {
        return switch (event) {
            case StreamEvent.TextDelta t -> t.text().length();
            case StreamEvent.ToolCallDelta d -> (d.argumentsFragment() == null ? 0 : d.argumentsFragment().length())
                    + (d.name() == null ? 0 : d.name().length()) + (d.id() == null ? 0 : d.id().length());
            default -> 0;
        };
    }
}
