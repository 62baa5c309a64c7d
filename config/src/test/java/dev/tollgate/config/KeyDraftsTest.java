package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.loader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Keys made through the admin API are read with the file's own rules. */
class KeyDraftsTest {
    private static final KeyHash HASH = KeyHash.of("tg-new");
    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private final RuntimeSnapshot snapshot = loaded(loader().parse("t.yaml", Fixtures.MINIMAL + """
            teams:
              support: { limits: { rpm: 100 } }
            """)).snapshot();

    @Test
    void aValidBodyBecomesARuntimeKeyWithTheGivenHash() {
        var draft = KeyDrafts.read("""
                {"name":"ci-bot","team":"support","models":["%s"],"limits":{"rpm":60},
                 "budget":{"usd":5,"period":"daily","alerts":[0.5,1]},"per_user":{"limits":{"rpm":5}},
                 "metadata":{"owner":"alice"},"expires":"2027-01-01"}
                """.formatted(snapshot.models().keySet().iterator().next()), HASH, NOW, snapshot);
        assertThat(draft).isInstanceOf(KeyDrafts.Draft.Valid.class);
        VirtualKey key = ((KeyDrafts.Draft.Valid) draft).key();
        assertThat(key.name()).isEqualTo("ci-bot");
        assertThat(key.hash()).isEqualTo(HASH);
        assertThat(key.created()).isEqualTo(NOW);
        assertThat(key.source()).isEqualTo(VirtualKey.Source.ADMIN_API);
        assertThat(key.limits().rpm()).isEqualTo(60);
        assertThat(key.budget().limit()).isEqualTo(Money.ofUsd("5"));
        assertThat(key.perUser().limits().rpm()).isEqualTo(5);
        assertThat(key.metadata()).containsEntry("owner", "alice");
        assertThat(key.expires()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void problemsAreAllReportedWithTheFilesWording() {
        var draft = KeyDrafts.read("{\"team\":\"suport\",\"models\":[\"nope\"],\"hash\":\"sha256:x\",\"limits\":{\"rpm\":0}}",
                HASH, NOW, snapshot);
        assertThat(draft).isInstanceOf(KeyDrafts.Draft.Invalid.class);
        assertThat(((KeyDrafts.Draft.Invalid) draft).problems()).anySatisfy(p -> assertThat(p).contains("name"))
                .anySatisfy(p -> assertThat(p).contains("unknown key 'hash'"))
                .anySatisfy(p -> assertThat(p).contains("unknown team 'suport' (did you mean 'support'?)"))
                .anySatisfy(p -> assertThat(p).contains("unknown model 'nope'"))
                .anySatisfy(p -> assertThat(p).contains("limits.rpm"));
        assertThat(KeyDrafts.read("not json {", HASH, NOW, snapshot)).isInstanceOf(KeyDrafts.Draft.Invalid.class);
        assertThat(((KeyDrafts.Draft.Invalid) KeyDrafts.read("name: yaml-is-not-json", HASH, NOW, snapshot))
                .problems()).containsExactly("the body must be a JSON object describing the key");
        assertThat(((KeyDrafts.Draft.Invalid) KeyDrafts.read("{\"name\": ", HASH, NOW, snapshot)).problems())
                .allSatisfy(p -> assertThat(p).contains("invalid JSON").doesNotContain("YAML"));
        assertThat(((KeyDrafts.Draft.Invalid) KeyDrafts.read("{\"name\":\"a\",\"key\":\"tg-x\"}", HASH, NOW, snapshot))
                .problems()).allSatisfy(p -> assertThat(p).contains("unknown key 'key'").doesNotContain("file"));
        assertThat(KeyDrafts.read("", HASH, NOW, snapshot)).isInstanceOf(KeyDrafts.Draft.Invalid.class);
    }
}
