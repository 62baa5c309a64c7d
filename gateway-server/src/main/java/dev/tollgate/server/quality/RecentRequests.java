package dev.tollgate.server.quality;

import dev.tollgate.core.quality.RequestFacts;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The chat requests this process answered lately, by key and client-facing request id: feedback on them is checked
 * and attributed without the database, even before the spend ledger has written their rows (it writes in batches).
 * Thread-safe and never blocks.
 *
 * <p>A direct-mapped table rather than a cache: every answered chat request is added, on an event loop, so adding
 * is one array store with no allocation, lock or maintenance task. A request is forgotten when it is older than the
 * age limit or when a later one lands in its slot; forgotten requests are looked up in the ledger.
 */
public final class RecentRequests {
    /** About 200 bytes an entry: some 25 MB when full. */
    public static final int DEFAULT_MAX = 100_000;
    /** Long enough for any client to rate what it was just shown; the ledger answers after that. */
    public static final Duration DEFAULT_AGE = Duration.ofHours(1);

    private final AtomicReferenceArray<RequestFacts> slots;
    private final int mask;
    private final Duration maxAge;

    /** @param maxEntries rounded up to a power of two */
    public RecentRequests(int maxEntries, Duration maxAge) {
        int size = Integer.highestOneBit(Math.max(2, maxEntries - 1)) << 1;
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
    }

    /** Remembers a finished request; a later one with the same key and id replaces it. */
    public void add(RequestFacts request) {
        slots.setRelease(slot(request.key(), request.requestId()), request);
    }

    /**
     * The request with id {@code requestId} made with key {@code key} (null: without a key), or null when this
     * process has not seen it lately. Keyed by key name too: two keys may send the same request id of their own,
     * and each sees only its own.
     */
    public RequestFacts find(String requestId, String key) {
        RequestFacts found = slots.getAcquire(slot(key, requestId));
        if (found == null || !found.requestId().equals(requestId) || !Objects.equals(found.key(), key)) {
            return null;
        }
        return found.at().isBefore(Instant.now().minus(maxAge)) ? null : found;
    }

    private int slot(String key, String requestId) {
        int h = 31 * Objects.hashCode(key) + requestId.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }
}
