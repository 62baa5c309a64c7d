package dev.tollgate.providers.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.routing.AwsCredentials;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The signer against AWS's published expectations. Every expected canonical request, string-to-sign hash and
 * signature here is AWS's own, not computed by this code: the Signature Version 4 test suite ({@code
 * aws-sig-v4-test-suite}, credentials {@code AKIDEXAMPLE}, region {@code us-east-1}, service {@code service}, time
 * 20150830T123600Z; the same files ship in {@code awslabs/aws-c-auth} and the AWS SDK for JavaScript's signer
 * fixtures) and the IAM {@code ListUsers} example of the AWS General Reference ("Create a signed AWS API request").
 */
class SigV4SignerTest {

    private static final Clock SUITE_TIME = Clock.fixed(Instant.parse("2015-08-30T12:36:00Z"), ZoneOffset.UTC);
    private static final String SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final String EMPTY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    /** The test suite's example session token (post-sts-token/readme.txt). */
    private static final String SUITE_TOKEN = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    private static final SigV4Signer SUITE = new SigV4Signer("service", SUITE_TIME);

    private static AwsCredentials suite(String token) {
        return new AwsCredentials(new Secret("test", "AKIDEXAMPLE"), new Secret("test", SUITE_SECRET),
                token == null ? null : new Secret("test", token), "us-east-1");
    }

    private static SigV4Signer.Signing sign(String method, String url, List<Header> headers, String body, String token) {
        return SUITE.signing(method, URI.create(url), headers, body.getBytes(StandardCharsets.UTF_8), suite(token));
    }

    private static String authorization(SigV4Signer.Signing signing) {
        return signing.headers().stream().filter(h -> h.name().equals("authorization")).findFirst().orElseThrow().value();
    }

    private static String suiteAuthorization(String signedHeaders, String signature) {
        return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="
                + signedHeaders + ", Signature=" + signature;
    }

    private static String suiteStringToSign(String canonicalHash) {
        return "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" + canonicalHash;
    }

    @Test
    void getVanilla() {
        var signing = sign("GET", "https://example.amazonaws.com/", List.of(), "", null);
        assertThat(signing.canonicalRequest()).isEqualTo(
                "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + EMPTY_HASH);
        assertThat(signing.stringToSign())
                .isEqualTo(suiteStringToSign("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"));
        assertThat(authorization(signing)).isEqualTo(
                suiteAuthorization("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
        assertThat(signing.headers()).extracting(Header::name).containsExactly("host", "x-amz-date", "authorization");
    }

    @Test
    void postVanilla() {
        var signing = sign("POST", "https://example.amazonaws.com/", List.of(), "", null);
        assertThat(signing.canonicalRequest()).isEqualTo(
                "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + EMPTY_HASH);
        assertThat(authorization(signing)).isEqualTo(
                suiteAuthorization("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
    }

    @Test
    void getVanillaQueryOrderKeyCase() {
        var signing = sign("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", List.of(), "", null);
        assertThat(signing.canonicalRequest()).isEqualTo("GET\n/\nParam1=value1&Param2=value2\n"
                + "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + EMPTY_HASH);
        assertThat(authorization(signing)).isEqualTo(
                suiteAuthorization("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
    }

    @Test
    void postXWwwFormUrlencoded() {
        var signing = sign("POST", "https://example.amazonaws.com/",
                List.of(new Header("Content-Type", "application/x-www-form-urlencoded")), "Param1=value1", null);
        assertThat(signing.canonicalRequest()).isEqualTo("POST\n/\n\n"
                + "content-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
                + "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
                + "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
        assertThat(authorization(signing)).isEqualTo(suiteAuthorization("content-type;host;x-amz-date",
                "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
    }

    @Test
    void postStsHeaderBeforeSignsTheSessionToken() {
        var signing = sign("POST", "https://example.amazonaws.com/", List.of(), "", SUITE_TOKEN);
        assertThat(signing.stringToSign())
                .isEqualTo(suiteStringToSign("c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6"));
        assertThat(authorization(signing)).isEqualTo(suiteAuthorization("host;x-amz-date;x-amz-security-token",
                "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));
        assertThat(signing.headers()).contains(new Header("x-amz-security-token", SUITE_TOKEN));
        assertThat(signing.toString()).doesNotContain(SUITE_TOKEN);
    }

    @Test
    void getUtf8EncodesThePathOnce() {
        var signing = sign("GET", "https://example.amazonaws.com/\u1234", List.of(), "", null);
        assertThat(signing.canonicalRequest()).startsWith("GET\n/%E1%88%B4\n\n");
        assertThat(signing.stringToSign())
                .isEqualTo(suiteStringToSign("2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102"));
        assertThat(authorization(signing)).isEqualTo(
                suiteAuthorization("host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"));
    }

    @Test
    void getHeaderValueTrimCollapsesSpaces() {
        var signing = sign("GET", "https://example.amazonaws.com/",
                List.of(new Header("My-Header1", " value1"), new Header("My-Header2", " \"a   b   c\"")), "", null);
        assertThat(signing.canonicalRequest()).isEqualTo("GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\n"
                + "my-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" + EMPTY_HASH);
        assertThat(signing.stringToSign())
                .isEqualTo(suiteStringToSign("a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7"));
        assertThat(authorization(signing)).isEqualTo(suiteAuthorization("host;my-header1;my-header2;x-amz-date",
                "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
    }

    @Test
    void getHeaderValueOrderJoinsRepeatedHeadersInOrder() {
        var signing = sign("GET", "https://example.amazonaws.com/", List.of(new Header("My-Header1", "value4"),
                new Header("My-Header1", "value1"), new Header("My-Header1", "value3"), new Header("My-Header1", "value2")),
                "", null);
        assertThat(signing.canonicalRequest()).contains("\nmy-header1:value4,value1,value3,value2\n");
        assertThat(signing.stringToSign())
                .isEqualTo(suiteStringToSign("31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86"));
        assertThat(authorization(signing)).isEqualTo(suiteAuthorization("host;my-header1;x-amz-date",
                "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));
    }

    /** The worked example of the AWS General Reference: IAM ListUsers, with its canonical request hash published. */
    @Test
    void iamListUsersExample() throws Exception {
        var signer = new SigV4Signer("iam", SUITE_TIME);
        var signing = signer.signing("GET", URI.create("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"),
                List.of(new Header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")), new byte[0],
                suite(null));
        assertThat(signing.canonicalRequest()).isEqualTo("GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                + "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
                + "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n" + EMPTY_HASH);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(signing.canonicalRequest().getBytes(StandardCharsets.UTF_8)));
        assertThat(hash).isEqualTo("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
        assertThat(authorization(signing)).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
                + "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
                + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    }

    @Test
    void anEncodedPathIsEncodedAgainAsEveryNonS3ServiceSignsIt() {
        assertThat(SigV4Signer.canonicalUri(URI.create("https://h/model/a.b-v1%3A0/converse")))
                .isEqualTo("/model/a.b-v1%253A0/converse");
        assertThat(SigV4Signer.canonicalUri(URI.create("https://h"))).isEqualTo("/");
        assertThat(SigV4Signer.canonicalUri(URI.create("https://h/a//b/"))).isEqualTo("/a//b/");
    }

    @Test
    void encodesWhatSigV4Encodes() {
        assertThat(SigV4Signer.encode("-._~AZaz09")).isEqualTo("-._~AZaz09");
        assertThat(SigV4Signer.encode("a b+c/d:e=f&é")).isEqualTo("a%20b%2Bc%2Fd%3Ae%3Df%26%C3%A9");
    }

    @Test
    void canonicalQueryDecodesThenEncodesAndSortsByNameThenValue() {
        assertThat(SigV4Signer.canonicalQuery("b=2&a=%7e&a=1&c&d=x+y&e=%zz"))
                .isEqualTo("a=1&a=~&b=2&c=&d=x%2By&e=%25zz");
        assertThat(SigV4Signer.canonicalQuery(null)).isEmpty();
    }

    @Test
    void hostCarriesOnlyAPortThatIsNotTheDefault() {
        assertThat(SigV4Signer.host(URI.create("https://bedrock-runtime.eu-west-1.amazonaws.com:443/x")))
                .isEqualTo("bedrock-runtime.eu-west-1.amazonaws.com");
        assertThat(SigV4Signer.host(URI.create("http://127.0.0.1:4566/x"))).isEqualTo("127.0.0.1:4566");
    }

    @Test
    void refusesToSignHeadersItWritesItself() {
        assertThatThrownBy(() -> sign("GET", "https://example.amazonaws.com/", List.of(new Header("Host", "x")), "", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
