package dev.tollgate.server.access;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.Team;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.ledger.KeyStore;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The keys in force: the config's, plus those made through the admin API (read from the ledger's key store at
 * start, after each local change, and every {@value #REFRESH_SECONDS} seconds, so a key revoked on another replica
 * stops working here within that time).
 *
 * <p>{@link #authenticate} runs on event loops: one SHA-256 and one map lookup in an immutable index, no lock. The
 * index is rebuilt (off the loop for runtime keys) whenever the config's policy or the runtime keys change.
 */
public final class KeyRing implements AutoCloseable {
    /** The header naming the end user behind a request, for attribution and per-user limits. */
    public static final String USER_HEADER = "x-tollgate-user";
    /** How long startup waits for the first read of runtime keys. */
    public static final Duration FIRST_LOAD = Duration.ofSeconds(10);
    static final int REFRESH_SECONDS = 15;
    private static final Logger LOG = Logger.getLogger(KeyRing.class.getName());
    private static final String BEARER = "bearer ";

    /** One immutable view; replaced whole. */
    private record Index(AccessPolicy policy, List<VirtualKey> runtime, Map<KeyHash, VirtualKey> byHash,
                         Map<String, VirtualKey> byName) {
        static Index of(AccessPolicy policy, List<VirtualKey> runtime) {
            Map<KeyHash, VirtualKey> byHash = new HashMap<>();
            Map<String, VirtualKey> byName = new HashMap<>();
            for (VirtualKey key : policy.keys()) {
                byHash.put(key.hash(), key);
                byName.put(key.name(), key);
            }
            for (VirtualKey key : runtime) {
                // A config key wins a clash: the file is the source of truth for what it names.
                if (!byName.containsKey(key.name()) && !byHash.containsKey(key.hash())) {
                    byHash.put(key.hash(), key);
                    byName.put(key.name(), key);
                }
            }
            return new Index(policy, List.copyOf(runtime), Map.copyOf(byHash), Map.copyOf(byName));
        }
    }

    private final KeyStore store;
    private final Clock clock;
    private final InternalKey internal;
    private final ScheduledExecutorService refresher;
    private volatile Index index;
    /** Refreshes are numbered as they start; one that finishes after a later one must not undo it. */
    private final AtomicLong refreshes = new AtomicLong();
    private long installed; // guarded by this

    /** @param store the runtime keys' store, or null when there is no ledger (config keys only) */
    public KeyRing(AccessPolicy policy, KeyStore store, Clock clock) {
        this.store = store;
        this.clock = requireNonNull(clock, "clock");
        this.internal = InternalKey.generate(new SecureRandom(), clock.instant());
        this.index = Index.of(requireNonNull(policy, "policy"), List.of());
        if (store == null) {
            refresher = null;
            return;
        }
        refresher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("tollgate-keys")
                .factory());
        refresher.scheduleWithFixedDelay(this::refreshQuietly, REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    /** Reads the runtime keys now; completes when the index holds them. */
    public CompletionStage<Void> refresh() {
        if (store == null) {
            return CompletableFuture.completedFuture(null);
        }
        long ticket = refreshes.incrementAndGet();
        return store.all().thenAccept(runtime -> install(ticket, runtime));
    }

    /**
     * Installs the runtime keys read by refresh number {@code ticket}, unless a later refresh got there first: a
     * periodic read that began before a revocation and ended after the admin's own refresh would otherwise bring
     * the revoked key back.
     */
    private synchronized void install(long ticket, List<VirtualKey> runtime) {
        if (ticket > installed) {
            installed = ticket;
            index = Index.of(index.policy(), runtime);
        }
    }

    private void refreshQuietly() {
        refresh().whenComplete((ok, e) -> {
            if (e != null) {
                LOG.log(Level.WARNING, "cannot refresh runtime keys; keeping the last known set: " + e);
            }
        });
    }

    /** The gateway's own key, for its evaluators' calls through the proxy port. */
    public InternalKey internalKey() {
        return internal;
    }

    /**
     * True when no key exists anywhere: every proxy request is then served without one. The internal key does not
     * count: it exists in every process, and an open gateway stays open.
     */
    public boolean open(AccessPolicy policy) {
        return current(policy).byHash().isEmpty();
    }

    /**
     * Checks the request's key against the keys in force under {@code policy} (the request's own snapshot) and
     * the endpoint against the key's scopes. While the config names an {@code evaluation.team}, the
     * {@linkplain #internalKey() internal key} is accepted too, even on an open gateway, as a key of that team;
     * without one no evaluator calls a model, and the key, which would have no team and no limits, opens nothing.
     *
     * @param evaluationTeam the snapshot's {@code evaluation.team}, or null
     */
    public Authentication authenticate(HttpHeaders headers, String routeLabel, AccessPolicy policy,
                                       String evaluationTeam) {
        Index now = current(policy);
        String user = headers.get(USER_HEADER);
        user = user == null || user.isEmpty() ? null : Caller.clip(user);
        if (now.byHash().isEmpty()) {
            String raw = evaluationTeam == null ? null : presented(headers);
            if (raw != null && internal.matches(raw)) {
                return allowed(internal.asVirtualKey(evaluationTeam), routeLabel, now.policy(), user);
            }
            return new Authentication.Allowed(user == null ? Caller.ANONYMOUS : new Caller(null, null, user));
        }
        String raw = presented(headers);
        if (raw == null) {
            return refuse(ErrorKind.UNAUTHENTICATED, "You didn't provide an API key. Send your Tollgate key in an "
                    + "Authorization header using Bearer auth (Authorization: Bearer YOUR_KEY), or in x-api-key.");
        }
        KeyHash hash = KeyHash.of(raw);
        VirtualKey key = now.byHash().get(hash);
        if (key == null) {
            if (evaluationTeam != null && internal.matches(hash)) {
                return allowed(internal.asVirtualKey(evaluationTeam), routeLabel, now.policy(), user);
            }
            return refuse(ErrorKind.UNAUTHENTICATED, "Incorrect API key provided.");
        }
        if (key.disabled()) {
            return refuse(ErrorKind.UNAUTHENTICATED, "The API key '" + key.name() + "' has been revoked.");
        }
        if (key.expiredAt(clock.instant())) {
            return refuse(ErrorKind.UNAUTHENTICATED, "The API key '" + key.name() + "' expired at " + key.expires()
                    + ".");
        }
        return allowed(key, routeLabel, now.policy(), user);
    }

    /** A valid key's caller, once its scopes allow the endpoint. */
    private static Authentication allowed(VirtualKey key, String routeLabel, AccessPolicy policy, String user) {
        if (!key.allowsEndpoint(routeLabel)) {
            return refuse(ErrorKind.PERMISSION_DENIED, "The API key '" + key.name() + "' may not call the "
                    + routeLabel + " endpoint.");
        }
        Team team = policy.team(key.team());
        return new Authentication.Allowed(new Caller(key, team, user));
    }

    /**
     * Whether {@code hash} is a virtual key's, config or runtime, revoked or expired included: such a secret is an
     * application's, whatever else lists it.
     */
    public boolean isVirtualKey(KeyHash hash, AccessPolicy policy) {
        return current(policy).byHash().containsKey(hash);
    }

    /** A key by name, config or runtime; null when none. */
    public VirtualKey byName(String name, AccessPolicy policy) {
        return current(policy).byName().get(name);
    }

    /** Every key in force, config keys first. */
    public List<VirtualKey> all(AccessPolicy policy) {
        Index now = current(policy);
        List<VirtualKey> out = new ArrayList<>(now.policy().keys());
        for (VirtualKey key : now.runtime()) {
            if (now.byName().get(key.name()) == key) {
                out.add(key);
            }
        }
        return out;
    }

    /** The index for {@code policy}, rebuilt when the config changed since the last request. */
    private Index current(AccessPolicy policy) {
        Index now = index;
        if (now.policy() == policy) {
            return now; // every request but the first after a reload: no lock
        }
        synchronized (this) {
            if (index.policy() != policy) {
                index = Index.of(policy, index.runtime());
            }
            return index;
        }
    }

    /** The raw key from {@code Authorization: Bearer}, {@code x-api-key} (Anthropic SDKs) or {@code api-key} (Azure). */
    static String presented(HttpHeaders headers) {
        String bearer = bearer(headers.get(HttpHeaderNames.AUTHORIZATION));
        if (bearer != null) {
            return bearer;
        }
        String key = headers.get("x-api-key");
        if (key == null || key.isEmpty()) {
            key = headers.get("api-key");
        }
        return key == null || key.isEmpty() ? null : key.trim();
    }

    /** The token of an {@code Authorization: Bearer} header value, or null when it is not one. */
    public static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }

    private static Authentication refuse(ErrorKind kind, String message) {
        return new Authentication.Refused(GatewayError.of(kind, message));
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
