package dev.tollgate.core.cache;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.pricing.Money;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One stored answer, in canonical form (it serves either dialect, streamed or not), with what it cost to get: the
 * original request's usage is in the response, its price in {@link #cost}. Immutable apart from its hit count.
 */
public final class CacheEntry {
    /** Object headers, references and fields around the strings: a fair estimate, not an exact measure. */
    private static final long OVERHEAD_BYTES = 256;

    private final ChatResponse response;
    private final Money cost;
    private final Duration ttl;
    private final long bytes;
    private final AtomicLong hits = new AtomicLong();
    private volatile long createdNanos;

    /**
     * @param cost what the request that produced it was charged
     * @param ttl how long it is served
     */
    public CacheEntry(ChatResponse response, Money cost, Duration ttl) {
        this.response = requireNonNull(response, "response");
        this.cost = requireNonNull(cost, "cost");
        this.ttl = requireNonNull(ttl, "ttl");
        this.bytes = estimateBytes(response);
    }

    public ChatResponse response() {
        return response;
    }

    public Money cost() {
        return cost;
    }

    public Duration ttl() {
        return ttl;
    }

    /** The estimated heap it takes: what the store's byte bound counts. */
    public long bytes() {
        return bytes;
    }

    public long hits() {
        return hits.get();
    }

    /** When it was stored, on the store's ticker. */
    public long createdNanos() {
        return createdNanos;
    }

    void stored(long nanos) {
        createdNanos = nanos;
    }

    void hit() {
        hits.incrementAndGet();
    }

    private static long estimateBytes(ChatResponse r) {
        long chars = r.id().length() + r.model().length();
        for (Part p : r.output()) {
            chars += switch (p) {
                case Part.Text t -> t.text().length();
                case Part.ToolCall c -> c.id().length() + c.name().length() + c.arguments().length();
                case Part.Image i -> i.url().length() + (i.detail() == null ? 0 : i.detail().length());
                case Part.ToolResult t -> t.toolCallId().length() + t.content().length();
            };
        }
        return OVERHEAD_BYTES + 2 * chars; // Java strings take up to two bytes a character
    }
}
