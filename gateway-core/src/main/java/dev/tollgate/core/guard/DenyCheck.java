package dev.tollgate.core.guard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deny lists: terms (case-insensitive, whole words: {@code secret} matches "Secret," but not "secretary") and
 * regexes (as written; {@code (?i)} for case-insensitive), each found span replaced by {@value #PLACEHOLDER}.
 * Regexes pass {@link SafeRegex} at config load and run against a step budget; a scan that exhausts it fails closed,
 * as a finding over the whole text, since a deny list that an input can switch off is no deny list.
 *
 * @param terms the terms as configured (for describing the check); {@code patterns} holds them compiled
 * @param patterns the terms as one alternation, then each regex
 */
public record DenyCheck(List<String> terms, List<String> regexes, List<Pattern> patterns) implements GuardCheck {
    public static final String PLACEHOLDER = "[REDACTED]";

    public DenyCheck {
        terms = List.copyOf(terms);
        regexes = List.copyOf(regexes);
        patterns = List.copyOf(patterns);
    }

    /**
     * Compiles the lists.
     *
     * @throws IllegalArgumentException for a regex {@link SafeRegex#problem} refuses, or a blank term
     */
    public static DenyCheck of(List<String> terms, List<String> regexes) {
        List<Pattern> patterns = new ArrayList<>(regexes.size() + 1);
        if (!terms.isEmpty()) {
            StringBuilder alternation = new StringBuilder("(?<![\\p{L}\\p{N}_])(?:");
            // Longest first: an alternation takes the first alternative that matches, and "red alert" must not be
            // cut to "red".
            List<String> longestFirst = new ArrayList<>(terms);
            longestFirst.sort(Comparator.comparingInt(String::length).reversed());
            for (int i = 0; i < longestFirst.size(); i++) {
                String term = longestFirst.get(i).strip();
                if (term.isEmpty()) {
                    throw new IllegalArgumentException("a deny term must not be blank");
                }
                alternation.append(i == 0 ? "" : "|").append(Pattern.quote(term));
            }
            alternation.append(")(?![\\p{L}\\p{N}_])");
            patterns.add(Pattern.compile(alternation.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
        }
        for (String regex : regexes) {
            patterns.add(SafeRegex.compile(regex));
        }
        return new DenyCheck(terms, regexes, patterns);
    }

    @Override
    public String kind() {
        return "deny";
    }

    @Override
    public Finding scan(String text) {
        if (text.isEmpty()) {
            return Finding.NONE;
        }
        List<Span> spans = new ArrayList<>();
        try {
            for (Pattern p : patterns) {
                Matcher m = SafeRegex.boundedMatcher(p, text);
                while (m.find()) {
                    if (m.end() > m.start()) {
                        spans.add(new Span(m.start(), m.end(), PLACEHOLDER));
                    }
                }
            }
        } catch (SafeRegex.StepLimit e) {
            return new Finding(true, List.of(new Span(0, text.length(), PLACEHOLDER)));
        }
        return Finding.of(Spans.disjoint(spans));
    }

    @Override
    public boolean locates() {
        return true;
    }
}
