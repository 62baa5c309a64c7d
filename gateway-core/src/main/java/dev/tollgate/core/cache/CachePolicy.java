package dev.tollgate.core.cache;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import java.time.Duration;

/**
 * What the cache does for one model group: whether it is on, how long an answer lives, whose answers may be
 * shared, and which requests and answers qualify. Immutable; part of the config snapshot.
 *
 * @param ttl how long a stored answer is served; a request may ask for less, never for more
 * @param cacheToolCalls whether answers that call tools are stored (their results depend on the caller's world)
 * @param maxEntryBytes an answer estimated larger than this is not stored
 */
public record CachePolicy(boolean enabled, Duration ttl, Scope scope, Mode mode, boolean cacheToolCalls,
                          long maxEntryBytes) {

    /** The defaults of the config's {@code cache} section: off, one hour, per team, deterministic requests. */
    public static final CachePolicy DEFAULTS = new CachePolicy(false, Duration.ofHours(1), Scope.TEAM,
            Mode.DETERMINISTIC, false, 1L << 20);

    /** Whose answers one entry may serve. */
    public enum Scope {
        /** Callers of the same team (of the same key, for a key without a team). */
        TEAM,
        /** Callers with the same virtual key. */
        KEY,
        /** Every caller: only for models whose answers hold no tenant's data. */
        GLOBAL;

        /** The scope id of a caller, from its key and team names (either null when it has none). */
        public String id(String keyName, String teamName) {
            return switch (this) {
                case GLOBAL -> "global";
                case TEAM -> teamName != null ? "team:" + teamName : keyId(keyName);
                case KEY -> keyId(keyName);
            };
        }

        private static String keyId(String keyName) {
            // An open gateway (no keys configured) has a single tenant.
            return keyName != null ? "key:" + keyName : "anonymous";
        }
    }

    /** Which requests are looked up and stored. */
    public enum Mode {
        /** Requests that ask for a repeatable answer: temperature 0, or a seed. */
        DETERMINISTIC,
        /** Every request: the admin accepts that a repeat gets the first of many possible answers. */
        ALL
    }

    public CachePolicy {
        requireNonNull(ttl, "ttl");
        requireNonNull(scope, "scope");
        requireNonNull(mode, "mode");
        if (!ttl.isPositive()) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        if (maxEntryBytes < 1) {
            throw new IllegalArgumentException("maxEntryBytes must be positive: " + maxEntryBytes);
        }
    }

    /**
     * Whether {@code request} may be answered from, and stored in, the cache. Never a request whose answer a replay
     * could not give back in full: several choices ({@code n > 1}), token log probabilities, or Anthropic thinking
     * blocks (the stored answer holds none of these, and a tool-use turn replayed without its thinking block is
     * refused by Anthropic on the next turn).
     */
    public boolean cacheable(ChatRequest request) {
        if (!enabled) {
            return false;
        }
        Integer n = request.sampling().n();
        if (n != null && n > 1 || wantsLogprobs(request) || wantsThinking(request)) {
            return false;
        }
        return mode == Mode.ALL || deterministic(request);
    }

    private static boolean wantsLogprobs(ChatRequest request) {
        return on(request.extensions().get("logprobs"), "false") || on(request.extensions().get("top_logprobs"), "0");
    }

    private static boolean wantsThinking(ChatRequest request) {
        RawJson thinking = request.extensions().get("thinking");
        return on(thinking, "null") && !thinking.json().replace(" ", "").contains("\"type\":\"disabled\"");
    }

    /** Whether an extension field is sent with a value other than null or {@code off}. */
    private static boolean on(RawJson value, String off) {
        if (value == null) {
            return false;
        }
        String json = value.json().strip();
        return !json.equals("null") && !json.equals(off);
    }

    private static boolean deterministic(ChatRequest request) {
        Double temperature = request.sampling().temperature();
        return (temperature != null && temperature == 0.0) || request.sampling().seed() != null;
    }

    /**
     * Whether a complete answer may be stored: one that stopped by itself (or called tools, when those are cached);
     * never one cut by its token limit, filtered, or holding nothing at all.
     */
    public boolean storable(ChatResponse response) {
        boolean callsTools = response.output().stream().anyMatch(p -> p instanceof Part.ToolCall);
        if (callsTools && !cacheToolCalls) {
            return false;
        }
        return !response.output().isEmpty() && switch (response.finishReason()) {
            case STOP -> true;
            case TOOL_CALLS -> cacheToolCalls;
            case LENGTH, CONTENT_FILTER -> false;
        };
    }

    /** The ttl for one request: the policy's, or the shorter one the request asked for (null: none). */
    public Duration ttlFor(Duration requested) {
        return requested == null || requested.compareTo(ttl) > 0 ? ttl : requested;
    }
}
