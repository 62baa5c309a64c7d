package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.pii.PiiType;
import java.util.EnumSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Labelled examples for the pii kind: what it must find (and as what), and look-alikes it must leave alone. */
class PiiCheckTest {
    private static final PiiCheck ALL = PiiCheck.of(EnumSet.allOf(PiiType.class));

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "write to jane.doe@example.com today | write to [EMAIL] today",
        "call +44 20 7946 0958 please | call [PHONE] please",
        "call (415) 555-2671 please | call [PHONE] please",
        "card 4111 1111 1111 1111 exp 12/29 | card [CREDIT_CARD] exp 12/29",
        "card 5500-0000-0000-0004 | card [CREDIT_CARD]",
        "IBAN DE89 3704 0044 0532 0130 00 ok | IBAN [IBAN] ok",
        "SSN 123-45-6789. | SSN [US_SSN].",
        "from 203.0.113.7 and 2001:db8::8a2e:370:7334 | from [IP_ADDRESS] and [IP_ADDRESS]",
        "key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123 here | key [API_KEY] here",
        "aws AKIAIOSFODNN7EXAMPLE set | aws [AWS_ACCESS_KEY] set",
        "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U x"
            + " | tok [JWT] x",
        "Authorization: Bearer abcdefghijklmnop0123456789 | Authorization: Bearer [BEARER_TOKEN]",
    })
    void findsEachKindAsItsType(String text, String redacted) {
        assertThat(Spans.replace(text, ALL.scan(text).spans())).isEqualTo(redacted);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "order 4111 1111 1111 1112 shipped",   // a card's shape, but the Luhn check fails
        "tracking 1234567812345678",           // 16 digits, no issuer and no Luhn
        "call 4155552671 maybe",               // a bare run of digits is not taken for a phone
        "IBAN DE00 3704 0044 0532 0130 00",    // mod-97 fails
        "SSN 000-12-3456 and 666-12-3456",     // never issued
        "version 1.02.3.4 and 300.1.1.1",      // octets with leading zeros or above 255
        "the sk-short key",                     // too short for an API key
        "a::b in C++ and std::vector",          // not IPv6
        "email me at jane at example dot com",  // spelled out
    })
    void leavesLookAlikesAlone(String text) {
        assertThat(ALL.scan(text).hit()).as(text).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"write to jane.doe@example.com", "card 4111 1111 1111 1111"})
    void findsOnlyTheConfiguredTypes(String text) {
        assertThat(PiiCheck.of(EnumSet.of(PiiType.API_KEY, PiiType.JWT)).scan(text).hit()).isFalse();
    }
}
