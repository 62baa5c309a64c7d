package dev.tollgate.core.observe.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tracestate} list a hop passes on, read by the W3C Trace Context rules: list members
 * {@code key=value} separated by commas (optional white space around them, empty members skipped), at most
 * {@value #MAX_MEMBERS}, no key twice. A list that breaks any rule is discarded whole, as the spec's test suite
 * expects; one that is valid is re-written without the white space and cut to {@value #MAX_LENGTH} characters,
 * the size every hop must propagate: members longer than {@value #LONG_MEMBER} characters go first, then members
 * from the end. A client therefore cannot make the gateway send a provider a header of its choosing or of any
 * size it likes (a header the provider refuses would count against the deployment's health).
 */
final class TraceState {
    static final int MAX_MEMBERS = 32;
    static final int MAX_LENGTH = 512;
    static final int LONG_MEMBER = 128;
    /** More than 32 members of at most 513 characters, with their separators and white space, is never valid. */
    private static final int MAX_INPUT = 32 * 1024;

    private TraceState() {}

    /** The list to pass on, or null when the value is absent, empty or not valid. */
    static String usable(String value) {
        if (value == null || value.length() > MAX_INPUT) {
            return null;
        }
        var members = new ArrayList<String>();
        int from = 0;
        while (from <= value.length()) {
            int comma = value.indexOf(',', from);
            int to = comma < 0 ? value.length() : comma;
            String member = strip(value, from, to);
            from = to + 1;
            if (member.isEmpty()) {
                continue;
            }
            int eq = member.indexOf('=');
            if (eq < 0 || !isKey(member, eq) || !isValue(member, eq + 1) || members.size() == MAX_MEMBERS
                    || hasKey(members, member, eq)) {
                return null;
            }
            members.add(member);
        }
        return members.isEmpty() ? null : fitted(members);
    }

    /** Optional white space (space and tab) around a member is not part of it. */
    private static String strip(String s, int from, int to) {
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    /**
     * {@code simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")}, or a multi-tenant key
     * {@code tenant@system}: a tenant of 1 to 241 of those characters starting with a letter or digit, a system of
     * 1 to 14 starting with a letter.
     */
    private static boolean isKey(String m, int end) {
        int at = m.indexOf('@');
        if (at < 0 || at > end) {
            return end >= 1 && end <= 256 && lcalpha(m.charAt(0)) && keyChars(m, 1, end);
        }
        int system = end - at - 1;
        return at >= 1 && at <= 241 && (lcalpha(m.charAt(0)) || digit(m.charAt(0))) && keyChars(m, 1, at)
                && system >= 1 && system <= 14 && lcalpha(m.charAt(at + 1)) && keyChars(m, at + 2, end);
    }

    private static boolean keyChars(String m, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = m.charAt(i);
            if (!(lcalpha(c) || digit(c) || c == '_' || c == '-' || c == '*' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    /** {@code value = 0*255(chr) nblk-chr}: printable ASCII but {@code ,} and {@code =}, not ending in a space. */
    private static boolean isValue(String m, int from) {
        int length = m.length() - from;
        if (length < 1 || length > 256 || m.charAt(m.length() - 1) == ' ') {
            return false;
        }
        for (int i = from; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
                return false;
            }
        }
        return true;
    }

    private static boolean hasKey(List<String> members, String member, int eq) {
        for (String m : members) {
            if (m.length() > eq && m.charAt(eq) == '=' && m.regionMatches(0, member, 0, eq)) {
                return true;
            }
        }
        return false;
    }

    private static boolean lcalpha(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The members joined, within {@link #MAX_LENGTH}: long members dropped first, then the last ones. */
    private static String fitted(List<String> members) {
        if (length(members) > MAX_LENGTH) {
            members.removeIf(m -> m.length() > LONG_MEMBER);
        }
        while (length(members) > MAX_LENGTH) {
            members.removeLast();
        }
        return members.isEmpty() ? null : String.join(",", members);
    }

    private static int length(List<String> members) {
        int length = Math.max(0, members.size() - 1);
        for (String m : members) {
            length += m.length();
        }
        return length;
    }
}
