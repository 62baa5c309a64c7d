package dev.tollgate.server.quality;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.core.quality.RequestFacts;
import java.time.Duration;

/**
 * The chat requests this process answered lately, by key and client-facing request id: feedback on them is checked
 * and attributed without the database, even before the spend ledger has written their rows (it writes in batches).
 * Bounded in size and age; older requests are looked up in the ledger. Thread-safe; never blocks.
 */
public final class RecentRequests {
    /** About 200 bytes an entry: 100,000 recent requests cost some 20 MB. */
    public static final int DEFAULT_MAX = 100_000;
    /** Long enough for any client to rate what it was just shown; the ledger answers after that. */
    public static final Duration DEFAULT_AGE = Duration.ofHours(1);

    /** Keyed by key name too: two keys may send the same request id of their own, and each sees only its own. */
    private record Id(String key, String requestId) {}

    private final Cache<Id, RequestFacts> recent;

    public RecentRequests(int maxEntries, Duration maxAge) {
        this.recent = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(maxAge).build();
    }

    /** Remembers a finished request; a later one with the same key and id replaces it. */
    public void add(RequestFacts request) {
        recent.put(new Id(request.key(), request.requestId()), request);
    }

    /**
     * The request with id {@code requestId} made with key {@code key} (null: without a key), or null when this
     * process has not seen it lately.
     */
    public RequestFacts find(String requestId, String key) {
        return recent.getIfPresent(new Id(key, requestId));
    }
}
