package dev.tollgate.core.pii;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds personal data and secrets in text: e-mail addresses, phone numbers, payment cards (Luhn-checked), IBANs
 * (mod-97-checked), US social security numbers, IPv4 and IPv6 addresses, API keys ({@code sk-...}), Google API
 * keys ({@code AIza...}), AWS access key ids, GitHub tokens, PEM private keys, JWTs, bearer tokens and credentials in
 * URLs (user info, {@code key=}/{@code token=}/{@code sig=}-style query parameters).
 *
 * <p>Precision comes first: every candidate is confirmed by a checksum, a range or a format, so a 16-digit order
 * number that fails the Luhn check is not a card and a bare run of ten digits is not a phone number. Scans are
 * linear in the text (bounded repetition only, no pattern that can backtrack without limit), patterns are
 * compiled once, and an instance is immutable and thread-safe: build one and share it.
 */
public final class PiiDetector {
    /**
     * Each pattern's look-behind and look-ahead keep a finding from starting or ending inside a longer token;
     * listed most specific first (see {@link PiiType}).
     */
    private static final List<Detector> ALL = List.of(
            new Detector.PemBlock(),
            regex(PiiType.JWT, "(?<![\\w-])eyJ[A-Za-z0-9_-]{5,4096}\\.eyJ[A-Za-z0-9_-]{2,8192}\\.[A-Za-z0-9_-]{16,2048}"
                    + "(?![\\w-])", 0, Detector.Check.ANY),
            regex(PiiType.API_KEY, "(?<![\\w-])sk-[A-Za-z0-9_-]{20,256}(?![\\w-])", 0, Detector.Check.ANY),
            // A key as providers quote it back, masked in the middle: what is left of it is still part of a key.
            regex(PiiType.API_KEY, "(?<![\\w-])sk-[A-Za-z0-9_-]{0,64}\\*{4,128}[A-Za-z0-9_-]{0,64}(?![\\w*-])", 0,
                    Detector.Check.ANY),
            regex(PiiType.GOOGLE_API_KEY, "(?<![\\w-])AIza[A-Za-z0-9_-]{35}(?![\\w-])", 0, Detector.Check.ANY),
            regex(PiiType.AWS_ACCESS_KEY, "(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA"
                    + "|ASCA)[A-Z0-9]{16}(?![A-Za-z0-9])", 0, Detector.Check.ANY),
            regex(PiiType.GITHUB_TOKEN, "(?<![\\w])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"
                    + "(?![\\w])", 0, Detector.Check.ANY),
            // The user info of scheme://user:password@host (the user and password both: the user is often a key
            // id), and the value of a query parameter that carries a credential (Gemini's ?key=, signed URLs).
            regex(PiiType.URL_CREDENTIAL, "(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}://([^\\s/?#@:\"'<>]{1,256}"
                    + ":[^\\s/?#@\"'<>]{1,256})@", 1, Detector.Check.ANY),
            regex(PiiType.URL_CREDENTIAL, "[?&;](?i:key|api[_-]?key|token|access[_-]?token|auth|sig|signature|secret"
                    + "|password|client[_-]secret|x-amz-signature|x-amz-credential|x-amz-security-token"
                    + "|x-goog-signature|x-goog-credential)=([^&;\\s#\"'<>]{1,4096})", 1, Detector.Check.ANY),
            regex(PiiType.BEARER_TOKEN, "(?<![\\w])(?i:bearer)[ \\t]{1,8}([A-Za-z0-9._~+/-]{16,4096}={0,2})"
                    + "(?![\\w.~+/=-])", 1, Detector.Check.ANY),
            regex(PiiType.CREDIT_CARD, "(?<![\\w-])\\d(?:[ -]?\\d){12,18}(?![\\d]|-\\d)", 0, Checks::card),
            regex(PiiType.IBAN, "(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,32}(?![a-z0-9])", 0, Checks::iban),
            regex(PiiType.US_SSN, "(?<![\\d-])\\d{3}-\\d{2}-\\d{4}(?![\\d]|-\\d)", 0, Checks::ssn),
            regex(PiiType.EMAIL, "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\\.){1,8}"
                    + "[A-Za-z]{2,24}(?![A-Za-z0-9-]|\\.[A-Za-z0-9])", 0, PiiDetector::email),
            regex(PiiType.PHONE, "(?<![\\w+.-])(?:\\+\\d|\\(\\d|\\d)[\\d ().-]{5,22}\\d(?![\\w]|[.-]\\d)", 0,
                    Checks::phone),
            regex(PiiType.IP_ADDRESS, "(?<![\\w.])\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}(?![\\w]|\\.\\d)", 0,
                    Checks::ipv4),
            regex(PiiType.IP_ADDRESS, "(?<![\\w:.])[0-9A-Fa-f:]{2,39}(?![\\w:]|\\.\\d)", 0, Checks::ipv6));

    /** Where findings overlap, the earliest wins; then the longest; then the more specific type. */
    private static final Comparator<PiiFinding> ORDER = Comparator.comparingInt(PiiFinding::start)
            .thenComparing(Comparator.comparingInt(PiiFinding::length).reversed())
            .thenComparing(PiiFinding::type);

    private static final PiiDetector EVERY = new PiiDetector(ALL);

    private static final PiiDetector SECRETS = new PiiDetector(ALL.stream().filter(d -> d.type().secret()).toList());

    private final List<Detector> detectors;

    private PiiDetector(List<Detector> detectors) {
        this.detectors = detectors;
    }

    /** A detector for every type. */
    public static PiiDetector all() {
        return EVERY;
    }

    /** A detector for credentials only ({@link PiiType#secret()}): keys, tokens, private keys, URL credentials. */
    public static PiiDetector secrets() {
        return SECRETS;
    }

    /** A detector for the given types only. */
    public static PiiDetector of(Set<PiiType> types) {
        requireNonNull(types, "types");
        EnumSet<PiiType> wanted = types.isEmpty() ? EnumSet.noneOf(PiiType.class) : EnumSet.copyOf(types);
        return new PiiDetector(ALL.stream().filter(d -> wanted.contains(d.type())).toList());
    }

    /**
     * The findings in {@code text}, ordered by position and never overlapping (where two detectors claim
     * overlapping spans, the one starting first wins, then the longer one, then the type listed first in
     * {@link PiiType}).
     */
    public List<PiiFinding> find(String text) {
        requireNonNull(text, "text");
        if (text.isEmpty()) {
            return List.of();
        }
        List<PiiFinding> found = new ArrayList<>();
        for (Detector d : detectors) {
            d.scan(text, found);
        }
        if (found.size() < 2) {
            return List.copyOf(found);
        }
        found.sort(ORDER);
        List<PiiFinding> kept = new ArrayList<>(found.size());
        int covered = 0;
        for (PiiFinding f : found) {
            if (f.start() >= covered) {
                kept.add(f);
                covered = f.end();
            }
        }
        return List.copyOf(kept);
    }

    /** The e-mail's domain has no empty label and no label that starts or ends with a hyphen. */
    private static int email(String text, int start, int end) {
        int at = text.indexOf('@', start);
        String local = text.substring(start, at);
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return -1;
        }
        for (String label : text.substring(at + 1, end).split("\\.", -1)) {
            if (label.isEmpty() || label.startsWith("-") || label.endsWith("-")) {
                return -1;
            }
        }
        return end;
    }

    private static Detector regex(PiiType type, String pattern, int group, Detector.Check check) {
        return new Detector.Regex(type, Pattern.compile(pattern), group, check);
    }
}
