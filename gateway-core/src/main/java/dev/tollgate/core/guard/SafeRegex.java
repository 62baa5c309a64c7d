package dev.tollgate.core.guard;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policy for regexes an admin writes into a deny list. At config load, a pattern that can backtrack without
 * bound is refused: a repeated group that itself repeats or has alternatives ({@code (a+)+}, {@code (a|aa)*}), and
 * backreferences. At scan time, what shapes remain polynomial ({@code \d+\d+x}) run against a step budget
 * proportional to the text; a scan that exceeds it fails closed (see {@link DenyCheck}).
 */
public final class SafeRegex {
    /** Character reads a scan may make per character of text, plus a fixed allowance for short texts. */
    static final int STEPS_PER_CHAR = 256;
    static final int BASE_STEPS = 65_536;

    private SafeRegex() {}

    /** Why {@code regex} is refused, or null when it compiles and is safe to run. */
    public static String problem(String regex) {
        try {
            Pattern.compile(regex);
        } catch (java.util.regex.PatternSyntaxException e) {
            return "is not a valid regex: " + e.getDescription() + " near index " + e.getIndex();
        }
        Deque<Group> open = new ArrayDeque<>();
        Group top = new Group();
        int n = regex.length();
        for (int i = 0; i < n; i++) {
            char c = regex.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 < n) {
                        char e = regex.charAt(i + 1);
                        if ((e >= '1' && e <= '9') || e == 'k') {
                            return "uses a backreference, which can backtrack without bound";
                        }
                        if (e == 'Q') {
                            int end = regex.indexOf("\\E", i + 2);
                            i = end < 0 ? n : end + 1;
                            break;
                        }
                        i++;
                    }
                    i = quantifier(regex, i + 1, top) - 1;
                }
                case '[' -> i = quantifier(regex, classEnd(regex, i) + 1, top) - 1;
                case '(' -> {
                    open.push(top);
                    top = new Group();
                }
                case ')' -> {
                    Group inner = top;
                    top = open.isEmpty() ? new Group() : open.pop();
                    int after = i + 1;
                    boolean repeated = repeats(regex, after);
                    if (repeated && (inner.repeats || inner.alternatives)) {
                        return "repeats a group that itself repeats or has alternatives (a nested quantifier), "
                                + "which can backtrack without bound";
                    }
                    top.repeats |= inner.repeats || repeated;
                    i = quantifier(regex, after, top) - 1;
                }
                case '|' -> top.alternatives = true;
                default -> i = quantifier(regex, i + 1, top) - 1;
            }
        }
        return null;
    }

    /** A pattern known to be {@link #problem safe}, compiled. */
    static Pattern compile(String regex) {
        String problem = problem(regex);
        if (problem != null) {
            throw new IllegalArgumentException("regex " + problem);
        }
        return Pattern.compile(regex);
    }

    /** A matcher over {@code text} that stops with {@link StepLimit} once its budget is spent. */
    static Matcher boundedMatcher(Pattern pattern, String text) {
        return pattern.matcher(new Budgeted(text, BASE_STEPS + (long) STEPS_PER_CHAR * text.length()));
    }

    /** A regex scan ran out of its step budget. */
    static final class StepLimit extends RuntimeException {
        StepLimit() {
            super("regex step budget exhausted", null, false, false);
        }
    }

    private static final class Group {
        boolean repeats;
        boolean alternatives;
    }

    /** Skips a quantifier at {@code at}, if any, noting a repeating one in {@code group}; returns where it ends. */
    private static int quantifier(String regex, int at, Group group) {
        if (at >= regex.length()) {
            return at;
        }
        if (repeats(regex, at)) {
            group.repeats = true;
        }
        char c = regex.charAt(at);
        int end = at;
        if (c == '*' || c == '+' || c == '?') {
            end = at + 1;
        } else if (c == '{') {
            int close = regex.indexOf('}', at);
            end = close < 0 ? at : close + 1;
        } else {
            return at;
        }
        if (end < regex.length() && (regex.charAt(end) == '?' || regex.charAt(end) == '+')) {
            end++; // lazy or possessive
        }
        return end;
    }

    /** Whether a quantifier that can repeat (more than once) starts at {@code at}. */
    private static boolean repeats(String regex, int at) {
        if (at >= regex.length()) {
            return false;
        }
        char c = regex.charAt(at);
        if (c == '*' || c == '+') {
            return true;
        }
        if (c != '{') {
            return false;
        }
        int close = regex.indexOf('}', at);
        if (close < 0) {
            return false;
        }
        String body = regex.substring(at + 1, close);
        int comma = body.indexOf(',');
        if (comma < 0) {
            return !body.trim().equals("1") && !body.trim().equals("0");
        }
        String max = body.substring(comma + 1).trim();
        return max.isEmpty() || Integer.parseInt(max) > 1;
    }

    /** The index of the {@code ]} closing the class opened at {@code open} (Java classes nest). */
    private static int classEnd(String regex, int open) {
        int depth = 0;
        for (int i = open; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                depth++;
            } else if (c == ']' && i > open + 1 && --depth == 0) {
                return i;
            } else if (c == ']' && i == open + 1 && regex.charAt(open + 1) == ']') {
                continue; // a leading ']' is a literal
            }
        }
        return regex.length() - 1;
    }

    /** The text, counting reads; the regex engine reads every character through {@link #charAt}. */
    private static final class Budgeted implements CharSequence {
        private final String text;
        private long left;

        Budgeted(String text, long budget) {
            this.text = text;
            this.left = budget;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) {
                throw new StepLimit();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
