package dev.tollgate.server.access;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.RawKeys;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.quota.Limits;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The gateway's own key, which its evaluators present when they call models through its proxy port, so that those
 * calls are routed, limited, charged and recorded like any other traffic. Made afresh by each process (32 random
 * bytes, never stored, logged or shown) and known to nothing outside it; its team is the config's
 * {@code evaluation.team}, read per request so that a reload moves the charges. It has no limits or budget of its
 * own: the team's apply.
 */
public final class InternalKey {
    /** The internal key's name; reserved, so no config or admin-API key may take it. */
    public static final String NAME = EvaluationSettings.KEY_NAME;
    /** What evaluators call: judges and re-asks (either chat dialect) and embeddings. */
    static final Set<String> ENDPOINTS = Set.of("chat", "messages", "embeddings");

    private final String secret;
    private final KeyHash hash;
    private final Instant created;
    /** The key as last built, for the team last asked for: one allocation per reload, not per call. */
    private volatile VirtualKey last;

    private InternalKey(String secret, Instant created) {
        this.secret = secret;
        this.hash = KeyHash.of(secret);
        this.created = created;
    }

    public static InternalKey generate(SecureRandom random, Instant now) {
        return new InternalKey(RawKeys.generate(requireNonNull(random, "random")), requireNonNull(now, "now"));
    }

    /** The {@code Authorization} header value that presents this key. */
    public String authorization() {
        return "Bearer " + secret;
    }

    /** Whether {@code raw}, a key as a client presented it, is this one. */
    boolean matches(String raw) {
        // Same length first: most keys presented are someone else's, and are told apart without a hash.
        return raw.length() == secret.length() && hash.equals(KeyHash.of(raw));
    }

    /** Whether {@code presented}, a presented key's hash, is this key's. */
    boolean matches(KeyHash presented) {
        return hash.equals(presented);
    }

    /** The key as a virtual key charged to {@code team} (null: no team). */
    VirtualKey asVirtualKey(String team) {
        VirtualKey key = last;
        if (key == null || !Objects.equals(key.team(), team)) {
            key = new VirtualKey(NAME, hash, team, created, null, false, Set.of(), ENDPOINTS, Map.of(), Limits.NONE,
                    null, null, VirtualKey.Source.INTERNAL);
            last = key;
        }
        return key;
    }

    @Override
    public String toString() {
        return "InternalKey[" + NAME + "]"; // never the secret
    }
}
