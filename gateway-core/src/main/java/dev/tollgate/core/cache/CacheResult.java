package dev.tollgate.core.cache;

import java.util.Locale;

/** What the cache did for one request, as the {@code x-tollgate-cache} header and the access log name it. */
public enum CacheResult {
    /** Answered from the cache. */
    HIT,
    /** Looked up, not found: answered upstream (and stored, when the answer qualifies). */
    MISS,
    /** Not cacheable (not deterministic, several choices) or the model does not cache: neither looked up nor stored. */
    BYPASS,
    /** The client asked not to be served from the cache ({@code Cache-Control: no-cache}): answered upstream and stored. */
    REFRESH,
    /**
     * Answered by an identical request in flight at the same time: its one upstream call served both
     * (request coalescing).
     */
    COALESCED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
