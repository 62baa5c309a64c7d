package dev.tollgate.core.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random text, rich in the characters findings are made of: never a crash, never a change without a finding. */
class PiiFuzzTest {
    private static final PiiRedactor REDACTOR = new PiiRedactor(PiiDetector.all());

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789 -.()+:@").ofMaxLength(24),
                Arbitraries.strings().withChars("abcdefABCDEFxyzXYZ_=/").ofMaxLength(16),
                Arbitraries.of("sk-", "eyJ", "AKIA", "ghp_", "Bearer ", "-----BEGIN PRIVATE KEY-----", "-----END ",
                        "DE89", "4111 1111 1111 1111", "@example.com", "::", "\n", "\u00e9", "\ud83d\ude00", "AIza",
                        "https://", "u:p@", "?key=", "&sig=", "****"),
                Arbitraries.strings().ofMaxLength(8));
        return pieces.list().ofMaxSize(30).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void findingsAreOrderedApartAndInsideTheText(@ForAll("texts") String text) {
        List<PiiFinding> findings = PiiDetector.all().find(text);
        int covered = 0;
        for (PiiFinding f : findings) {
            assertThat(f.start()).isGreaterThanOrEqualTo(covered);
            assertThat(f.end()).isLessThanOrEqualTo(text.length());
            covered = f.end();
        }
    }

    @Property(tries = 3000)
    void redactionChangesTextOnlyWhereItFoundSomething(@ForAll("texts") String text) {
        Redacted r = REDACTOR.redact(text);
        if (r.findings().isEmpty()) {
            assertThat(r.text()).isEqualTo(text);
            return;
        }
        // Every character outside a finding is kept, in order, around the placeholders.
        StringBuilder expected = new StringBuilder();
        int copied = 0;
        for (PiiFinding f : r.findings()) {
            expected.append(text, copied, f.start()).append(f.type().placeholder());
            copied = f.end();
        }
        assertThat(r.text()).isEqualTo(expected.append(text.substring(copied)).toString());
    }

    @Property(tries = 1000)
    void anyUnicodeTextScansWithoutError(@ForAll String text) {
        assertThat(REDACTOR.redact(text).text()).isNotNull();
    }
}
