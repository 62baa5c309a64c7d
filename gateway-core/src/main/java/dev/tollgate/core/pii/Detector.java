package dev.tollgate.core.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kind of finding. A regex proposes candidates, a check confirms each one (a checksum, a range, a format) and
 * may shorten it. Every pattern here starts with a look-behind that refuses to start inside a token and uses only
 * bounded repetition, so each start position costs a bounded amount of work and a scan is linear in the text.
 */
sealed interface Detector {

    PiiType type();

    /** Adds this detector's findings in {@code text} to {@code out}. */
    void scan(String text, List<PiiFinding> out);

    /**
     * Confirms a candidate. Returns the end of the confirmed finding ({@code end} itself, or less when only a
     * prefix is one), or -1 when the candidate is not a finding.
     */
    @FunctionalInterface
    interface Check {
        Check ANY = (text, start, end) -> end;

        int confirm(String text, int start, int end);
    }

    /**
     * A regex and a check.
     *
     * @param group the capturing group that is the finding (0: the whole match), e.g. a bearer token without the
     *     word {@code Bearer}
     */
    record Regex(PiiType type, Pattern pattern, int group, Check check) implements Detector {
        @Override
        public void scan(String text, List<PiiFinding> out) {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                int start = m.start(group);
                int end = check.confirm(text, start, m.end(group));
                if (end > start) {
                    out.add(new PiiFinding(type, start, end));
                }
            }
        }
    }

    /**
     * PEM private key blocks, found without a regex over the body: the begin line by regex, then the end line by
     * plain search, so a long key costs one pass. A block cut before its end line (a truncated paste) is still a
     * secret: it is redacted up to where its base64 stops.
     */
    record PemBlock() implements Detector {
        private static final Pattern BEGIN = Pattern.compile("-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY-----");
        private static final String END = "-----END ";
        private static final String DASHES = "-----";
        /** The longest key block looked for: an RSA-8192 key is about 6,500 characters. */
        private static final int MAX_BLOCK = 16_384;

        @Override
        public PiiType type() {
            return PiiType.PRIVATE_KEY;
        }

        @Override
        public void scan(String text, List<PiiFinding> out) {
            Matcher m = BEGIN.matcher(text);
            int from = 0;
            while (from < text.length() && m.find(from)) {
                int end = blockEnd(text, m.end());
                out.add(new PiiFinding(PiiType.PRIVATE_KEY, m.start(), end));
                from = end;
            }
        }

        private static int blockEnd(String text, int bodyStart) {
            int limit = (int) Math.min(text.length(), (long) bodyStart + MAX_BLOCK);
            // Searched within the window only: a text of many begin lines and no end line stays linear.
            int endLine = text.indexOf(END, bodyStart, limit);
            if (endLine >= 0) {
                int close = text.indexOf(DASHES, endLine + END.length(), Math.min(text.length(), endLine + 64));
                if (close >= 0) {
                    return close + DASHES.length();
                }
            }
            int i = bodyStart;
            while (i < limit && isBase64OrSpace(text.charAt(i))) {
                i++;
            }
            return i;
        }

        private static boolean isBase64OrSpace(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                    || c == '=' || c == '\n' || c == '\r' || c == ' ' || c == '\t';
        }
    }
}
