package dev.tollgate.core.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PiiDetectorTest {
    private static final PiiDetector ALL = PiiDetector.all();
    private static final PiiRedactor REDACTOR = new PiiRedactor(ALL);
    private static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ikpv"
            + "aG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    private static final String PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
            + "4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n-----END RSA PRIVATE KEY-----";

    /** True positives: the text, what it is, and the exact span found. */
    static Stream<Arguments> positives() {
        return Stream.of(
                found("mail jane.doe+news@mail.example.co.uk today", PiiType.EMAIL, "jane.doe+news@mail.example.co.uk"),
                found("ANNA_B@EXAMPLE.ORG.", PiiType.EMAIL, "ANNA_B@EXAMPLE.ORG"),
                found("call +1 415 555 2671 now", PiiType.PHONE, "+1 415 555 2671"),
                found("call +44 20 7946 0958", PiiType.PHONE, "+44 20 7946 0958"),
                found("or (415) 555-2671.", PiiType.PHONE, "(415) 555-2671"),
                found("or 415.555.2671", PiiType.PHONE, "415.555.2671"),
                found("ring +1 415 555 2671 2 times", PiiType.PHONE, "+1 415 555 2671"),
                found("visa 4111 1111 1111 1111 exp", PiiType.CREDIT_CARD, "4111 1111 1111 1111"),
                // the expiry or the CVV right after the number is not part of it
                found("card: 4242 4242 4242 4242 05/27", PiiType.CREDIT_CARD, "4242 4242 4242 4242"),
                found("card 4111-1111-1111-1111-123 cvv", PiiType.CREDIT_CARD, "4111-1111-1111-1111"),
                found("mc 5500-0000-0000-0004", PiiType.CREDIT_CARD, "5500-0000-0000-0004"),
                found("amex 378282246310005", PiiType.CREDIT_CARD, "378282246310005"),
                found("disc:6011111111111117;", PiiType.CREDIT_CARD, "6011111111111117"),
                found("iban DE89 3704 0044 0532 0130 00 please", PiiType.IBAN, "DE89 3704 0044 0532 0130 00"),
                found("GB82WEST12345698765432", PiiType.IBAN, "GB82WEST12345698765432"),
                found("to GB82 WEST 1234 5698 7654 32 THANKS", PiiType.IBAN, "GB82 WEST 1234 5698 7654 32"),
                found("ssn 123-45-6789.", PiiType.US_SSN, "123-45-6789"),
                found("host 192.168.1.20.", PiiType.IP_ADDRESS, "192.168.1.20"),
                found("from 10.0.0.255:8080", PiiType.IP_ADDRESS, "10.0.0.255"),
                found("v6 2001:db8::8a2e:370:7334 ok", PiiType.IP_ADDRESS, "2001:db8::8a2e:370:7334"),
                found("full 2001:0db8:85a3:0000:0000:8a2e:0370:7334", PiiType.IP_ADDRESS,
                        "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
                found("link fe80::1 up", PiiType.IP_ADDRESS, "fe80::1"),
                found("key=sk-proj-Abcdefghij0123456789_klmnOP", PiiType.API_KEY, "sk-proj-Abcdefghij0123456789_klmnOP"),
                found("x-api-key: sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz", PiiType.API_KEY,
                        "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz"),
                found("Incorrect API key provided: sk-canar************ARY. You can", PiiType.API_KEY,
                        "sk-canar************ARY"),
                found("aws AKIAIOSFODNN7EXAMPLE", PiiType.AWS_ACCESS_KEY, "AKIAIOSFODNN7EXAMPLE"),
                found("token ghp_16C7e42F292c6912E7710c838347Ae178B4a!", PiiType.GITHUB_TOKEN,
                        "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
                found("pat github_pat_11ABCDEFG0123456789_abcdefghijklmnop", PiiType.GITHUB_TOKEN,
                        "github_pat_11ABCDEFG0123456789_abcdefghijklmnop"),
                found("id_token=" + JWT + "&x", PiiType.JWT, JWT),
                found("Authorization: Bearer abc.DEF-123_456~789+/xyz==", PiiType.BEARER_TOKEN,
                        "abc.DEF-123_456~789+/xyz=="),
                found("google AIzaSyA-1234567890abcdefghijklmnopqrstu.", PiiType.GOOGLE_API_KEY,
                        "AIzaSyA-1234567890abcdefghijklmnopqrstu"),
                found("GET https://generativelanguage.googleapis.com/v1/models?alt=sse&key=s3cr3t-Value_1 404",
                        PiiType.URL_CREDENTIAL, "s3cr3t-Value_1"),
                found("blob https://x.blob.core.windows.net/c/f?sv=2024&sig=abc%2Bdef%3D&se=1", PiiType.URL_CREDENTIAL,
                        "abc%2Bdef%3D"),
                found("proxy http://admin:hunter2@proxy.internal:3128/ down", PiiType.URL_CREDENTIAL, "admin:hunter2"),
                found("\"postgres://app:p%40ss@db.internal/x\"", PiiType.URL_CREDENTIAL, "app:p%40ss"),
                found("key:\n" + PEM + "\nthanks", PiiType.PRIVATE_KEY, PEM),
                found("cut: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n", PiiType.PRIVATE_KEY,
                        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"));
    }

    private static Arguments found(String text, PiiType type, String span) {
        return Arguments.of(text, type, span);
    }

    @ParameterizedTest(name = "{1} in \"{0}\"")
    @MethodSource("positives")
    void findsEachKindWithItsExactSpan(String text, PiiType type, String span) {
        List<PiiFinding> findings = ALL.find(text);
        assertThat(findings).hasSize(1);
        PiiFinding f = findings.getFirst();
        assertThat(f.type()).isEqualTo(type);
        assertThat(text.substring(f.start(), f.end())).isEqualTo(span);
    }

    /** True negatives: text that looks like a finding and is not one. */
    static Stream<String> negatives() {
        return Stream.of(
                "order 1234567812345678 shipped",           // 16 digits, fails Luhn
                "card 4111111111111112",                    // Visa prefix, fails Luhn
                "ref 9111111111111111",                     // passes no issuer prefix
                "tracking 4111111111111111111111",          // longer than any card
                "call 2125551234",                          // bare digits: not taken for a phone
                "on 2024-01-15 at 12:30:45",                // a date and a time
                "pi is 3.14159265358979",                   // a decimal
                "call 123-456-7890",                        // no North American area code starts with 1
                "amount 1,234,567.89 EUR",
                "DE89 3704 0044 0532 0130 01",              // IBAN with a wrong check
                "XX89 3704 0044 0532 0130 00",              // no such country
                "ISBN 978-3-16-148410-0",
                "ssn 000-12-3456, 666-12-3456, 912-34-5678, 123-00-4567, 123-45-0000",
                "version 1.2.3.4.5 and 999.1.1.1 and 01.2.3.4",
                "std::vector<int> and a::b and ::",
                "timestamps 12:30:45 and deadbeef:cafe",
                "user@localhost is not an address; nor is @example.com or a..b@example.com",
                "sk-short and task-force-alpha and risk-management-framework-v2",
                "the bearer of bad news",
                "AKIA-not-a-key AKIAIOSFODNN7EXAMPL",
                "ghp_tooShort",
                "AIzaTooShort and AIza" + "a".repeat(40),
                "https://example.com/a?monkey=1&keyboard=2&tokens=3 and ssh://host:22/repo",
                "see https://example.com/u:p and ?key= alone",
                "eyJhbGciOiJIUzI1NiJ9 is only a header",
                "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----",
                "");
    }

    @ParameterizedTest
    @MethodSource("negatives")
    void findsNothingInLookalikes(String text) {
        assertThat(ALL.find(text)).isEmpty();
        assertThat(REDACTOR.redact(text).text()).isSameAs(text);
    }

    @Test
    void redactsEveryFindingWithItsPlaceholderAndKeepsTheRest() {
        String text = "I'm jane@example.com, card 4111 1111 1111 1111, ssn 123-45-6789, key sk-abcdefghijklmnopqrstuvwx.";
        Redacted r = REDACTOR.redact(text);
        assertThat(r.text()).isEqualTo("I'm [EMAIL], card [CREDIT_CARD], ssn [US_SSN], key [API_KEY].");
        assertThat(r.findings()).extracting(PiiFinding::type)
                .containsExactly(PiiType.EMAIL, PiiType.CREDIT_CARD, PiiType.US_SSN, PiiType.API_KEY);
        assertThat(r.findings().get(0)).isEqualTo(new PiiFinding(PiiType.EMAIL, 4, 20));
    }

    @Test
    void theMoreSpecificSecretWinsOverTheBearerTokenItSitsIn() {
        String text = "Authorization: Bearer sk-abcdefghijklmnopqrstuvwx";
        assertThat(REDACTOR.redact(text).text()).isEqualTo("Authorization: Bearer [API_KEY]");
    }

    @Test
    void aDetectorForSomeTypesFindsOnlyThose() {
        String text = "jane@example.com 4111 1111 1111 1111";
        assertThat(PiiDetector.of(Set.of(PiiType.CREDIT_CARD)).find(text)).extracting(PiiFinding::type)
                .containsExactly(PiiType.CREDIT_CARD);
        assertThat(PiiDetector.of(Set.of()).find(text)).isEmpty();
        assertThat(PiiType.API_KEY.secret()).isTrue();
        assertThat(PiiType.EMAIL.secret()).isFalse();
        assertThat(PiiType.URL_CREDENTIAL.secret()).isTrue();
        assertThat(PiiDetector.secrets().find("jane@example.com key sk-abcdefghijklmnopqrstuvwx"))
                .extracting(PiiFinding::type).containsExactly(PiiType.API_KEY);
    }

    @Test
    void applyRefusesFindingsThatOverlap() {
        var a = new PiiFinding(PiiType.EMAIL, 0, 5);
        var b = new PiiFinding(PiiType.PHONE, 3, 8);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PiiRedactor.apply("0123456789", List.of(a, b)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Inputs built to make a backtracking pattern explode: each must scan in linear time. */
    @Test
    @Timeout(10)
    void adversarialInputsScanInLinearTime() {
        int n = 400_000; // linear: a few hundred ms each; the quadratic scans this caught took seconds
        List<String> inputs = List.of("a".repeat(n), "1".repeat(n), "1 ".repeat(n / 2), "1-".repeat(n / 2),
                "a.".repeat(n / 2) + "@", "@a.".repeat(n / 3), "sk-" + "a".repeat(n), "eyJ" + "a".repeat(n) + ".",
                ":".repeat(n), "a:".repeat(n / 2), "DE89 ".repeat(n / 5), "Bearer ".repeat(n / 7),
                "-----BEGIN PRIVATE KEY-----".repeat(n / 27), "(1".repeat(n / 2), "1.".repeat(n / 2), "+1 ".repeat(n / 3));
        assertLinear(inputs);
    }

    /** The same for the patterns of keys and credentials in URLs, in a test of their own to share no time budget. */
    @Test
    @Timeout(10)
    void adversarialUrlsAndKeysScanInLinearTime() {
        int n = 400_000;
        assertLinear(List.of("sk-a****".repeat(n / 7), "a://".repeat(n / 4), "a://b:".repeat(n / 6),
                "http://a:" + "b".repeat(n), "?key=".repeat(n / 5), "&sig=" + "x".repeat(n), "AIza".repeat(n / 4)));
    }

    private static void assertLinear(List<String> inputs) {
        for (String input : inputs) {
            long start = System.nanoTime();
            ALL.find(input);
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms for %s...", input.substring(0, 12))
                    .isLessThan(2_000);
        }
    }
}
