package dev.tollgate.providers.bedrock;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.AwsCredentials;
import dev.tollgate.core.spi.Header;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 ({@code AWS4-HMAC-SHA256}) in the Authorization header, for one service of any non-S3
 * AWS API. Pure Java, stateless and thread-safe; the clock dates each signature.
 *
 * <p>The canonical request is built from what goes on the wire, so it matches what AWS recomputes:
 * <ul>
 *   <li>the canonical URI is the request's raw (already encoded) path with each segment URI-encoded once more, as
 *       every non-S3 service does: a Bedrock model id {@code ...-v1:0} travels as {@code ...-v1%3A0} and is signed as
 *       {@code ...-v1%253A0}. Paths are signed as given: dot segments and repeated slashes are not normalised;</li>
 *   <li>the canonical query sorts the decoded-then-encoded parameters by name, then value;</li>
 *   <li>the signed headers are {@code host} (from the URI, port only when not the scheme's default, which is how
 *       the gateway writes {@code Host}), {@code x-amz-date}, {@code x-amz-security-token} for temporary
 *       credentials, and every header the caller asks to sign; names lower case, values trimmed with inner runs of
 *       spaces collapsed, repeated names joined with commas;</li>
 *   <li>the payload hash is the SHA-256 of the exact body bytes.</li>
 * </ul>
 * The secret key is revealed only to derive the signing key and never leaves this class; the session token is
 * revealed only into its header, whose {@code toString} hides it like every {@link Header}.
 */
public final class SigV4Signer {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();
    private static final Set<String> OWN = Set.of("host", "x-amz-date", "x-amz-security-token", "authorization");

    private final String service;
    private final Clock clock;

    /** @param service the signing name of the AWS service ({@code bedrock}) */
    public SigV4Signer(String service, Clock clock) {
        this.service = requireNonNull(service, "service");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * The headers that authenticate a request: {@code host}, {@code x-amz-date}, {@code x-amz-security-token} when
     * the credentials are temporary, and {@code authorization}. The caller sends them with {@code signed} and
     * {@code body} unchanged; other headers may be added unsigned.
     *
     * @param signed headers to cover by the signature besides the ones above (names in any case; none of those four)
     */
    public List<Header> sign(String method, URI uri, List<Header> signed, byte[] body, AwsCredentials credentials) {
        return signing(method, uri, signed, body, credentials).headers();
    }

    /** Every intermediate of one signature. {@link #toString()} hides them: the canonical request names the token. */
    record Signing(String canonicalRequest, String stringToSign, List<Header> headers) {
        @Override
        public String toString() {
            return "Signing" + headers;
        }
    }

    /** {@link #sign} with its intermediates, which tests compare with the ones AWS publishes. */
    Signing signing(String method, URI uri, List<Header> signed, byte[] body, AwsCredentials credentials) {
        String stamp = STAMP.format(clock.instant());
        String date = stamp.substring(0, 8);
        var own = new ArrayList<Header>(3);
        own.add(new Header("host", host(uri)));
        own.add(new Header("x-amz-date", stamp));
        if (credentials.sessionToken() != null) {
            own.add(new Header("x-amz-security-token", credentials.sessionToken().reveal()));
        }
        var all = new ArrayList<Header>(own);
        for (Header header : signed) {
            if (OWN.contains(header.name().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("the signer writes " + header.name() + " itself");
            }
            all.add(header);
        }
        Map<String, String> canonical = canonicalHeaders(all);
        String signedNames = String.join(";", canonical.keySet());
        var headerBlock = new StringBuilder();
        canonical.forEach((name, value) -> headerBlock.append(name).append(':').append(value).append('\n'));
        String canonicalRequest = method + '\n' + canonicalUri(uri) + '\n' + canonicalQuery(uri.getRawQuery()) + '\n'
                + headerBlock + '\n' + signedNames + '\n' + HEX.formatHex(sha256(body));
        String scope = date + '/' + credentials.region() + '/' + service + "/aws4_request";
        String stringToSign = ALGORITHM + '\n' + stamp + '\n' + scope + '\n'
                + HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = signingKey(credentials.secretAccessKey().reveal(), date, credentials.region());
        String signature = HEX.formatHex(hmac(key, stringToSign));
        String credential = credentials.accessKeyId().reveal() + '/' + scope;
        own.add(new Header("authorization", ALGORITHM + " Credential=" + credential + ", SignedHeaders=" + signedNames
                + ", Signature=" + signature));
        return new Signing(canonicalRequest, stringToSign, List.copyOf(own));
    }

    private byte[] signingKey(String secret, String date, String region) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        return hmac(key, "aws4_request");
    }

    /** The {@code Host} value the gateway sends for {@code uri}: the port only when it is not the default one. */
    static String host(URI uri) {
        int port = uri.getPort();
        int standard = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return port < 0 || port == standard ? uri.getHost() : uri.getHost() + ":" + port;
    }

    private static Map<String, String> canonicalHeaders(List<Header> headers) {
        var canonical = new TreeMap<String, String>();
        for (Header header : headers) {
            String value = header.value().strip().replaceAll(" {2,}", " ");
            canonical.merge(header.name().toLowerCase(Locale.ROOT), value, (a, b) -> a + "," + b);
        }
        return canonical;
    }

    static String canonicalUri(URI uri) {
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            return "/";
        }
        var segments = new ArrayList<String>();
        for (String segment : path.split("/", -1)) {
            segments.add(encode(segment));
        }
        return String.join("/", segments);
    }

    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        var pairs = new ArrayList<String[]>();
        for (String parameter : rawQuery.split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int eq = parameter.indexOf('=');
            String name = eq < 0 ? parameter : parameter.substring(0, eq);
            String value = eq < 0 ? "" : parameter.substring(eq + 1);
            pairs.add(new String[] {encode(decode(name)), encode(decode(value))});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        var out = new StringBuilder(rawQuery.length() + 16);
        for (String[] pair : pairs) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(pair[0]).append('=').append(pair[1]);
        }
        return out.toString();
    }

    /**
     * SigV4's URI encoding (RFC 3986 unreserved characters kept, every other UTF-8 byte as upper-case {@code %XX}).
     * Also how a model id becomes one path segment: {@code :} and {@code /} (in ARNs) are encoded.
     */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        var out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(HEX.toHexDigits(b).toUpperCase(Locale.ROOT));
            }
        }
        return out.toString();
    }

    /** Percent-decoding only ({@code +} stays a plus, as AWS reads a query); a malformed escape stays text. */
    private static String decode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        var bytes = new ByteArrayOutputStream(text.length());
        int run = 0;
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) == '%' && i + 2 < text.length()
                    && HexFormat.isHexDigit(text.charAt(i + 1)) && HexFormat.isHexDigit(text.charAt(i + 2))) {
                bytes.writeBytes(text.substring(run, i).getBytes(StandardCharsets.UTF_8));
                bytes.write(HexFormat.fromHexDigits(text, i + 1, i + 3));
                i += 3;
                run = i;
            } else {
                i++;
            }
        }
        bytes.writeBytes(text.substring(run).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }
}
