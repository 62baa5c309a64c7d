package dev.tollgate.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.Team;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.ledger.KeyStore;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.pricing.Unpriced;
import dev.tollgate.core.quota.Limits;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class KeyRingTest {
    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static VirtualKey key(String name, String raw, VirtualKey.Source source) {
        return new VirtualKey(name, KeyHash.of(raw), "ops", NOW, null, false, Set.of("fast*"), Set.of("chat"),
                Map.of(), Limits.NONE, null, null, source);
    }

    static AccessPolicy policy(VirtualKey... keys) {
        return new AccessPolicy(Map.of("ops", new Team("ops", Limits.NONE, null, Map.of())), List.of(keys), null,
                ZoneId.of("UTC"), Unpriced.REJECT, null, null, List.of());
    }

    static HttpHeaders headers(String... pairs) {
        var h = new DefaultHttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            h.add(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    /** A key store in memory, enough to see the ring pick runtime keys up. */
    static class MemoryKeys implements KeyStore {
        final List<VirtualKey> keys = new ArrayList<>();

        @Override
        public CompletionStage<Void> create(VirtualKey key) {
            keys.add(key);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Boolean> setDisabled(String name, boolean disabled) {
            keys.replaceAll(k -> k.name().equals(name) ? k.disabled(disabled) : k);
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletionStage<List<VirtualKey>> all() {
            return CompletableFuture.completedFuture(List.copyOf(keys));
        }
    }

    @Test
    void anOpenGatewayLetsEveryoneInAndKeepsTheEndUser() {
        try (var ring = new KeyRing(AccessPolicy.OPEN, null, CLOCK)) {
            var auth = ring.authenticate(headers(KeyRing.USER_HEADER, "alice"), "chat", AccessPolicy.OPEN, null);
            assertThat(auth).isInstanceOf(Authentication.Allowed.class);
            assertThat(((Authentication.Allowed) auth).caller().user()).isEqualTo("alice");
            assertThat(ring.open(AccessPolicy.OPEN)).isTrue();
        }
    }

    @Test
    void keysArePresentedAsBearerXApiKeyOrApiKey() {
        AccessPolicy policy = policy(key("bot", "tg-secret", VirtualKey.Source.CONFIG));
        try (var ring = new KeyRing(policy, null, CLOCK)) {
            for (HttpHeaders h : List.of(headers("authorization", "Bearer tg-secret"),
                    headers("authorization", "bearer  tg-secret "), headers("x-api-key", "tg-secret"),
                    headers("api-key", "tg-secret"))) {
                var auth = ring.authenticate(h, "chat", policy, null);
                assertThat(auth).isInstanceOf(Authentication.Allowed.class);
                Caller caller = ((Authentication.Allowed) auth).caller();
                assertThat(caller.keyName()).isEqualTo("bot");
                assertThat(caller.teamName()).isEqualTo("ops");
            }
            assertThat(refusal(ring.authenticate(headers(), "chat", policy, null)))
                    .isEqualTo(ErrorKind.UNAUTHENTICATED);
            assertThat(refusal(ring.authenticate(headers("authorization", "Bearer tg-other"), "chat", policy, null)))
                    .isEqualTo(ErrorKind.UNAUTHENTICATED);
            assertThat(refusal(ring.authenticate(headers("authorization", "Bearer tg-secret"), "embeddings",
                    policy, null))).isEqualTo(ErrorKind.PERMISSION_DENIED);
        }
    }

    @Test
    void expiredAndDisabledKeysAreRefused() {
        VirtualKey base = key("bot", "tg-secret", VirtualKey.Source.CONFIG);
        VirtualKey expired = new VirtualKey("old", KeyHash.of("tg-old"), null, NOW, NOW, false, Set.of(), Set.of(),
                Map.of(), Limits.NONE, null, null, VirtualKey.Source.CONFIG);
        AccessPolicy policy = policy(base.disabled(true), expired);
        try (var ring = new KeyRing(policy, null, CLOCK)) {
            var revoked = (Authentication.Refused) ring.authenticate(headers("x-api-key", "tg-secret"), "chat",
                    policy, null);
            assertThat(revoked.error().message()).contains("revoked");
            var old = (Authentication.Refused) ring.authenticate(headers("x-api-key", "tg-old"), "chat", policy, null);
            assertThat(old.error().message()).contains("expired");
        }
    }

    @Test
    void runtimeKeysJoinAfterARefreshAndConfigKeysWinAClash() {
        AccessPolicy policy = policy(key("bot", "tg-secret", VirtualKey.Source.CONFIG));
        var store = new MemoryKeys();
        try (var ring = new KeyRing(policy, store, CLOCK)) {
            store.create(key("late", "tg-late", VirtualKey.Source.ADMIN_API));
            store.create(key("bot", "tg-impostor", VirtualKey.Source.ADMIN_API));
            assertThat(ring.authenticate(headers("x-api-key", "tg-late"), "chat", policy, null))
                    .isInstanceOf(Authentication.Refused.class);
            ring.refresh().toCompletableFuture().join();
            assertThat(ring.authenticate(headers("x-api-key", "tg-late"), "chat", policy, null))
                    .isInstanceOf(Authentication.Allowed.class);
            assertThat(ring.authenticate(headers("x-api-key", "tg-impostor"), "chat", policy, null))
                    .isInstanceOf(Authentication.Refused.class);
            assertThat(ring.all(policy)).extracting(VirtualKey::name).containsExactly("bot", "late");
        }
    }

    @Test
    void longEndUserIdsAreClipped() {
        try (var ring = new KeyRing(AccessPolicy.OPEN, null, CLOCK)) {
            var auth = (Authentication.Allowed) ring.authenticate(headers(KeyRing.USER_HEADER, "u".repeat(500)),
                    "chat", AccessPolicy.OPEN, null);
            assertThat(auth.caller().user()).hasSize(Caller.MAX_USER_CHARS);
            assertThat(Caller.ANONYMOUS.withBodyUser("bob").user()).isEqualTo("bob");
            assertThat(auth.caller().withBodyUser("bob").user()).hasSize(Caller.MAX_USER_CHARS);
        }
    }

    @Test
    void aRefreshThatFinishesLateCannotBringARevokedKeyBack() {
        AccessPolicy policy = policy(key("bot", "tg-secret", VirtualKey.Source.CONFIG));
        var reads = new ArrayList<CompletableFuture<List<VirtualKey>>>();
        KeyStore slow = new MemoryKeys() {
            @Override
            public CompletionStage<List<VirtualKey>> all() {
                var read = new CompletableFuture<List<VirtualKey>>();
                reads.add(read);
                return read;
            }
        };
        try (var ring = new KeyRing(policy, slow, CLOCK)) {
            VirtualKey live = key("late", "tg-late", VirtualKey.Source.ADMIN_API);
            var periodic = ring.refresh(); // read before the revocation...
            var afterRevoke = ring.refresh(); // ...and the admin's own read after it
            reads.get(1).complete(List.of(live.disabled(true)));
            reads.get(0).complete(List.of(live)); // the stale read lands last
            periodic.toCompletableFuture().join();
            afterRevoke.toCompletableFuture().join();
            var auth = (Authentication.Refused) ring.authenticate(headers("x-api-key", "tg-late"), "chat", policy,
                    null);
            assertThat(auth.error().message()).contains("revoked");
        }
    }

    @Test
    void theInternalKeyIsAcceptedOnAnOpenGatewayWithoutClosingIt() {
        try (var ring = new KeyRing(AccessPolicy.OPEN, null, CLOCK)) {
            String authorization = ring.internalKey().authorization();
            var auth = (Authentication.Allowed) ring.authenticate(headers("authorization", authorization), "chat",
                    AccessPolicy.OPEN, "quality");
            assertThat(auth.caller().internal()).isTrue();
            assertThat(auth.caller().keyName()).isEqualTo(InternalKey.NAME);
            assertThat(auth.caller().key().team()).isEqualTo("quality");
            assertThat(ring.open(AccessPolicy.OPEN)).isTrue();
            assertThat(ring.all(AccessPolicy.OPEN)).isEmpty();
            var other = (Authentication.Allowed) ring.authenticate(headers("authorization", "Bearer tg-anything"),
                    "chat", AccessPolicy.OPEN, "quality");
            assertThat(other.caller()).isEqualTo(Caller.ANONYMOUS);
            assertThat(other.caller().internal()).isFalse();
        }
    }

    @Test
    void theInternalKeyTakesItsTeamFromTheRequestsSnapshotAndOnlyItsEndpoints() {
        AccessPolicy policy = policy(key("bot", "tg-secret", VirtualKey.Source.CONFIG));
        try (var ring = new KeyRing(policy, null, CLOCK)) {
            HttpHeaders internal = headers("authorization", ring.internalKey().authorization());
            for (String route : List.of("chat", "messages", "embeddings")) {
                var auth = (Authentication.Allowed) ring.authenticate(internal, route, policy, "ops");
                assertThat(auth.caller().internal()).isTrue();
                assertThat(auth.caller().teamName()).isEqualTo("ops");
                assertThat(auth.caller().key().limits()).isEqualTo(Limits.NONE);
                assertThat(auth.caller().key().budget()).isNull();
            }
            var moved = (Authentication.Allowed) ring.authenticate(internal, "chat", policy, "elsewhere");
            assertThat(moved.caller().key().team()).isEqualTo("elsewhere");
            assertThat(refusal(ring.authenticate(internal, "count_tokens", policy, "ops")))
                    .isEqualTo(ErrorKind.PERMISSION_DENIED);
            assertThat(ring.all(policy)).extracting(VirtualKey::name).containsExactly("bot");
            var bot = (Authentication.Allowed) ring.authenticate(headers("x-api-key", "tg-secret"), "chat", policy,
                    "ops");
            assertThat(bot.caller().internal()).isFalse();
        }
    }

    @Test
    void eachRingMakesItsOwnInternalSecretAndNeverShowsIt() {
        try (var a = new KeyRing(AccessPolicy.OPEN, null, CLOCK);
             var b = new KeyRing(AccessPolicy.OPEN, null, CLOCK)) {
            assertThat(a.internalKey().authorization()).isNotEqualTo(b.internalKey().authorization());
            String secret = a.internalKey().authorization().substring("Bearer ".length());
            assertThat(a.internalKey().toString()).doesNotContain(secret);
            // Another process's internal key is nobody's here: on an open gateway, just an anonymous caller.
            var elsewhere = (Authentication.Allowed) b.authenticate(headers("authorization",
                    a.internalKey().authorization()), "chat", AccessPolicy.OPEN, "ops");
            assertThat(elsewhere.caller().internal()).isFalse();
        }
    }

    @Test
    void theInternalKeyOpensNothingWhileNoEvaluationTeamIsConfigured() {
        // Without evaluation.team no evaluator calls a model: the key would be one of no team and no limits.
        AccessPolicy policy = policy(key("bot", "tg-secret", VirtualKey.Source.CONFIG));
        try (var closed = new KeyRing(policy, null, CLOCK); var open = new KeyRing(AccessPolicy.OPEN, null, CLOCK)) {
            var refused = (Authentication.Refused) closed.authenticate(headers("authorization",
                    closed.internalKey().authorization()), "chat", policy, null);
            var unknown = (Authentication.Refused) closed.authenticate(headers("authorization", "Bearer tg-other"),
                    "chat", policy, null);
            // Told apart from no other wrong key: the answer says nothing of a key that exists.
            assertThat(refused.error()).isEqualTo(unknown.error());
            var anonymous = (Authentication.Allowed) open.authenticate(headers("x-api-key",
                    open.internalKey().authorization().substring("Bearer ".length())), "chat", AccessPolicy.OPEN,
                    null);
            assertThat(anonymous.caller()).isEqualTo(Caller.ANONYMOUS);
        }
    }

    @Test
    void refusalsOfTheInternalKeyNeverCarryItsSecret() {
        AccessPolicy policy = policy(key("bot", "tg-secret", VirtualKey.Source.CONFIG));
        try (var ring = new KeyRing(policy, null, CLOCK)) {
            String authorization = ring.internalKey().authorization();
            var denied = (Authentication.Refused) ring.authenticate(headers("authorization", authorization), "models",
                    policy, "ops");
            assertThat(denied.error().kind()).isEqualTo(ErrorKind.PERMISSION_DENIED);
            assertThat(denied.error().toString()).doesNotContain(authorization.substring("Bearer ".length()));
        }
    }

    private static ErrorKind refusal(Authentication auth) {
        return ((Authentication.Refused) auth).error().kind();
    }
}
