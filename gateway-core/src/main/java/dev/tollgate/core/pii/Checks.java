package dev.tollgate.core.pii;

import java.util.Map;
import java.util.regex.Pattern;

/** The confirmations behind the detectors: checksums, number ranges and formats. Stateless. */
final class Checks {
    private Checks() {}

    /**
     * A payment card: 13 to 19 digits, an issuer's prefix, and the Luhn check digit right. A card written in groups
     * is often followed by another group (the expiry or the CVV: {@code 4242 4242 4242 4242 05/27}) that the
     * candidate takes in: when the whole fails, it is shortened a group at a time, as a phone number is.
     */
    static int card(String text, int start, int end) {
        for (int e = end; e > start; e = lastCardSeparator(text, start, e)) {
            String digits = digits(text, start, e);
            if (digits.length() < 13) {
                return -1;
            }
            if (digits.length() <= 19 && knownIssuer(digits) && luhn(digits)
                    && separatorsConsistent(text, start, e)) {
                return e;
            }
        }
        return -1;
    }

    /** Where the last group of a card candidate starts, less its separator; -1 (ending the search) when none. */
    private static int lastCardSeparator(String text, int start, int end) {
        for (int i = end - 1; i > start; i--) {
            char c = text.charAt(i);
            if (c == ' ' || c == '-') {
                return i;
            }
        }
        return -1;
    }

    /** Separators, if any, are all spaces or all dashes: {@code 4111-1111 1111-1111} is not how a card is written. */
    private static boolean separatorsConsistent(String text, int start, int end) {
        char seen = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '-') {
                if (seen != 0 && seen != c) {
                    return false;
                }
                seen = c;
            }
        }
        return true;
    }

    /** Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay, Maestro. */
    private static boolean knownIssuer(String d) {
        int two = Integer.parseInt(d.substring(0, 2));
        int four = Integer.parseInt(d.substring(0, 4));
        int len = d.length();
        return d.charAt(0) == '4'
                || (two >= 51 && two <= 55 && len == 16) || (four >= 2221 && four <= 2720 && len == 16)
                || ((two == 34 || two == 37) && len == 15)
                || d.startsWith("6011") || d.startsWith("65") || (four >= 6440 && four <= 6499)
                || (two == 35 && len >= 16)
                || ((two == 36 || two == 38 || (two == 30 && d.charAt(2) <= '5')) && len >= 14)
                || two == 62
                || (two == 50 || (two >= 56 && two <= 69));
    }

    static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    /** IBAN lengths by country (ISO 13616 registry); a country not listed is not taken for an IBAN. */
    private static final Map<String, Integer> IBAN_LENGTHS = Map.<String, Integer>ofEntries(
            Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
            Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BR", 29),
            Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24), Map.entry("DE", 22),
            Map.entry("DK", 18), Map.entry("DO", 28), Map.entry("EE", 20), Map.entry("EG", 29), Map.entry("ES", 24),
            Map.entry("FI", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GE", 22),
            Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28), Map.entry("HR", 21),
            Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IS", 26), Map.entry("IT", 27),
            Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20), Map.entry("LB", 28), Map.entry("LI", 21),
            Map.entry("LT", 20), Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("MC", 27), Map.entry("MD", 24),
            Map.entry("ME", 22), Map.entry("MK", 19), Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30),
            Map.entry("NL", 18), Map.entry("NO", 15), Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29),
            Map.entry("PT", 25), Map.entry("QA", 29), Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24),
            Map.entry("SE", 24), Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("TN", 24),
            Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VG", 24), Map.entry("XK", 20));

    /**
     * An IBAN: a known country, its exact length, and ISO 7064 mod 97-10 giving 1. A candidate longer than its
     * country's length (a word in capitals after it) is cut to that length.
     */
    static int iban(String text, int start, int end) {
        Integer length = IBAN_LENGTHS.get(text.substring(start, start + 2));
        if (length == null) {
            return -1;
        }
        StringBuilder chars = new StringBuilder(length);
        int i = start;
        for (; i < end && chars.length() < length; i++) {
            char c = text.charAt(i);
            if (c != ' ') {
                chars.append(c);
            }
        }
        if (chars.length() < length || (i < end && text.charAt(i) != ' ') || !mod97(chars)) {
            return -1;
        }
        return i;
    }

    private static boolean mod97(CharSequence iban) {
        int remainder = 0;
        int n = iban.length();
        for (int k = 0; k < n; k++) {
            char c = iban.charAt((k + 4) % n); // the first four characters move to the end
            int value = c <= '9' ? c - '0' : c - 'A' + 10;
            remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
        }
        return remainder == 1;
    }

    /** A US SSN as the SSA issues them: area not 000, 666 or 9xx; group not 00; serial not 0000. */
    static int ssn(String text, int start, int end) {
        int area = Integer.parseInt(text, start, start + 3, 10);
        int group = Integer.parseInt(text, start + 4, start + 6, 10);
        int serial = Integer.parseInt(text, start + 7, start + 11, 10);
        return area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 ? -1 : end;
    }

    /** Four decimal octets, each 0 to 255 without leading zeros (those read as octal or as version numbers). */
    static int ipv4(String text, int start, int end) {
        int octetStart = start;
        for (int i = start; i <= end; i++) {
            if (i == end || text.charAt(i) == '.') {
                int len = i - octetStart;
                if (len == 0 || len > 3 || (len > 1 && text.charAt(octetStart) == '0')
                        || Integer.parseInt(text, octetStart, i, 10) > 255) {
                    return -1;
                }
                octetStart = i + 1;
            }
        }
        return end;
    }

    /**
     * An IPv6 address (RFC 4291 text form, without an embedded IPv4 tail): groups of 1 to 4 hex digits, eight of
     * them, or fewer with exactly one {@code ::}; and at least two groups and a decimal digit, so {@code ::} or
     * {@code a::b} in code is not taken for one.
     */
    static int ipv6(String text, int start, int end) {
        String s = text.substring(start, end);
        if (s.chars().noneMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return -1;
        }
        String[] sides = gap >= 0 ? new String[] {s.substring(0, gap), s.substring(gap + 2)} : new String[] {s};
        int groups = 0;
        for (String side : sides) {
            if (side.isEmpty()) {
                continue;
            }
            for (String group : side.split(":", -1)) {
                if (group.isEmpty() || group.length() > 4) {
                    return -1;
                }
                groups++;
            }
        }
        boolean complete = gap >= 0 ? groups < 8 : groups == 8;
        return complete && groups >= 2 ? end : -1;
    }

    /**
     * A phone number: international ({@code +} and 8 to 15 digits, as E.164 allows) or North American written
     * with separators ({@code (415) 555-2671}, {@code 415-555-2671}, {@code 415.555.2671}). A bare run of digits is
     * not taken for one: it is as likely an order number or an amount. A trailing group of one digit is left out
     * ({@code +1 415 555 2671 2 apples}).
     */
    static int phone(String text, int start, int end) {
        int e = end;
        while (e > start) {
            if (phoneShape(text, start, e)) {
                return e;
            }
            int cut = lastSeparator(text, start, e);
            if (cut < 0) {
                return -1;
            }
            e = cut;
            while (e > start && isSeparator(text.charAt(e - 1))) {
                e--;
            }
        }
        return -1;
    }

    private static boolean phoneShape(String text, int start, int end) {
        int digits = 0;
        int open = 0;
        int lastGroup = 0;
        char prev = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
                lastGroup++;
            } else if (c != '+') {
                if (c == '(') {
                    open++;
                } else if (c == ')' && --open < 0) {
                    return false;
                }
                boolean pairAllowed = (prev == ')' && c == ' ') || (prev == ' ' && c == '(');
                if (isSeparator(prev) && !pairAllowed) {
                    return false; // "1--2", "1. 2"
                }
                lastGroup = 0;
            }
            prev = c;
        }
        if (open != 0 || lastGroup < 2) {
            return false;
        }
        if (text.charAt(start) == '+') {
            return digits >= 8 && digits <= 15;
        }
        return digits == 10 && northAmerican(text.substring(start, end));
    }

    private static final Pattern NORTH_AMERICAN =
            Pattern.compile("(?:\\([2-9]\\d{2}\\) ?|[2-9]\\d{2}[ .-])[2-9]\\d{2}[ .-]\\d{4}");

    private static boolean northAmerican(String s) {
        return NORTH_AMERICAN.matcher(s).matches();
    }

    private static int lastSeparator(String text, int start, int end) {
        for (int i = end - 1; i > start; i--) {
            if (isSeparator(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
    }

    private static String digits(String text, int start, int end) {
        StringBuilder out = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                out.append(c);
            }
        }
        return out.toString();
    }
}
