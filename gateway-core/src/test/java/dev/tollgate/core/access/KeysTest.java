package dev.tollgate.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.quota.Limits;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeysTest {
    @Test
    void aKeyHashIsTheSha256OfTheKey() {
        // echo -n abc | sha256sum
        assertThat(KeyHash.of("abc").hex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(KeyHash.of("abc").toString()).startsWith("sha256:ba7816bf");
        assertThat(KeyHash.parse(KeyHash.of("abc").toString())).isEqualTo(KeyHash.of("abc"));
        assertThat(KeyHash.of("abc").prefix()).isEqualTo("ba7816bf");
        assertThat(KeyHash.parse("sha256:ABC")).isNull();
        assertThat(KeyHash.parse("tg-123")).isNull();
        assertThat(KeyHash.parse(null)).isNull();
        assertThatThrownBy(() -> new KeyHash("xyz")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void newKeysHaveOneShapeAndDoNotRepeat() {
        var random = new SecureRandom();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            String key = RawKeys.generate(random);
            assertThat(key).matches("tg-[0-9A-Za-z]{43}");
            assertThat(seen.add(key)).isTrue();
        }
    }

    @Test
    void modelScopesTakeNamesAndPrefixes() {
        var key = new VirtualKey("k", KeyHash.of("x"), null, Instant.EPOCH, Instant.parse("2030-01-01T00:00:00Z"),
                false, Set.of("gpt-4o-mini", "claude-*"), Set.of(), Map.of(), Limits.NONE, null, null,
                VirtualKey.Source.CONFIG);
        assertThat(key.allowsModel("gpt-4o-mini")).isTrue();
        assertThat(key.allowsModel("claude-haiku")).isTrue();
        assertThat(key.allowsModel("gpt-4o")).isFalse();
        assertThat(key.allowsEndpoint("embeddings")).isTrue();
        assertThat(key.expiredAt(Instant.parse("2029-12-31T23:59:59Z"))).isFalse();
        assertThat(key.expiredAt(Instant.parse("2030-01-01T00:00:00Z"))).isTrue();
        assertThat(key.scope()).isEqualTo("key:k");
    }
}
