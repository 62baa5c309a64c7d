package dev.tollgate.core.guard;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deny lists: terms (case-insensitive, whole words: {@code secret} matches "Secret," but not "secretary") and
 * regexes (as written; {@code (?i)} for case-insensitive), each found span replaced by {@value #PLACEHOLDER}.
 * Terms are found through a trie ({@link Terms}), in time bounded by the longest term however many there are.
 * Regexes pass {@link SafeRegex} at config load and run against a step budget; a scan that exhausts it fails closed,
 * as a finding over the whole text, since a deny list that an input can switch off is no deny list.
 *
 * @param terms the terms as configured (for describing the check); {@code termIndex} holds them compiled
 * @param regexes the regexes as configured; {@code patterns} holds them compiled
 */
public record DenyCheck(List<String> terms, List<String> regexes, Terms termIndex, List<Pattern> patterns)
        implements GuardCheck {
    public static final String PLACEHOLDER = "[REDACTED]";

    public DenyCheck {
        terms = List.copyOf(terms);
        regexes = List.copyOf(regexes);
        requireNonNull(termIndex, "termIndex");
        patterns = List.copyOf(patterns);
    }

    /**
     * Compiles the lists.
     *
     * @throws IllegalArgumentException for a regex {@link SafeRegex#problem} refuses, or a blank term
     */
    public static DenyCheck of(List<String> terms, List<String> regexes) {
        List<Pattern> patterns = new ArrayList<>(regexes.size());
        for (String regex : regexes) {
            patterns.add(SafeRegex.compile(regex));
        }
        return new DenyCheck(terms, regexes, Terms.of(terms, "a deny term"), patterns);
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
        termIndex.find(text, PLACEHOLDER, spans);
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
