package dev.tollgate.server.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names, label names and label matchers a PromQL expression reads: as much PromQL as the alert rules
 * and dashboard panels here use (selectors, ranges, aggregations with by/without, vector matching, functions).
 */
record PromQl(String expression) {
    /** {@code label="value"} (or another operator) in the selector of {@code metric}, empty for a bare selector. */
    record LabelMatch(String metric, String label, String operator, String value) {}

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*\\{([^}]*)}");
    private static final Pattern LABEL_MATCH =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    /** An identifier; group 1 is set when a '(' follows, which makes it a function or an aggregation. */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan",
            "group_left", "group_right");

    /** The metric names read. */
    Set<String> metrics() {
        String rest = SELECTOR.matcher(expression).replaceAll(m -> m.group(1) == null ? " " : m.group(1) + " ");
        rest = GROUPING.matcher(RANGE.matcher(rest).replaceAll(" ")).replaceAll(" ");
        var names = new TreeSet<String>();
        Matcher m = IDENTIFIER.matcher(rest);
        while (m.find()) {
            if (m.group(1) == null && !KEYWORDS.contains(m.group().toLowerCase(Locale.ROOT))) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The label names read: in selectors and in by/without/on/ignoring/group_* clauses. */
    Set<String> labels() {
        var names = new TreeSet<String>();
        matches().forEach(m -> names.add(m.label()));
        Matcher g = GROUPING.matcher(expression);
        while (g.find()) {
            for (String label : g.group(1).split(",")) {
                if (!label.isBlank()) {
                    names.add(label.strip());
                }
            }
        }
        return names;
    }

    List<LabelMatch> matches() {
        var matches = new ArrayList<LabelMatch>();
        Matcher s = SELECTOR.matcher(expression);
        while (s.find()) {
            Matcher l = LABEL_MATCH.matcher(s.group(2));
            while (l.find()) {
                matches.add(new LabelMatch(s.group(1) == null ? "" : s.group(1), l.group(1), l.group(2), l.group(3)));
            }
        }
        return matches;
    }
}
