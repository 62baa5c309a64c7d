package dev.tollgate.config;

import dev.tollgate.core.routing.Condition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Binds a {@code when} mapping (of a route rule or an automatic-tier rule) into a {@link Condition}: each field is
 * one test, and every test must hold. Regular expressions are compiled here, so a bad one is a config problem and
 * never a failure on a request.
 */
final class ConditionSection {
    /**
     * The fields, in the order their tests run: those that read only the request's headers and key come first,
     * since {@link Condition.All} stops at the first test that fails and body-derived features are computed lazily.
     */
    static final List<String> ORDER = List.of("keys", "teams", "region", "header", "metadata", "has_tools",
            "has_images", "json_mode", "prompt_tokens_over", "prompt_tokens_under", "contains_any", "matches");
    static final Set<String> KEYS = Set.copyOf(ORDER);
    /** The header {@code region} tests: a client (or a proxy in front of the gateway) names its region in it. */
    static final String REGION_HEADER = "x-tollgate-region";
    /** Patterns run on every request the rule sees: a short one is enough, a huge one is a slip. */
    static final int MAX_PATTERN_CHARS = 1000;

    private static final Pattern HEADER_NAME = Pattern.compile(ProvidersSection.HEADER_NAME_PATTERN);

    private ConditionSection() {}

    /** The {@code when} under {@code key} of {@code parent}, which is required and must test something. */
    static WhenConfig bind(MappingReader parent, String key, Diagnostics problems) {
        parent.requirePresent(key);
        MappingReader w = parent.child(key, KEYS);
        if (parent.has(key) && w.empty()) {
            problems.error(w.origin(), "a condition needs at least one test: " + String.join(", ", ORDER));
        }
        var tests = new ArrayList<Condition>();
        Map<String, Origin> teams = Map.of();
        for (String field : ORDER) {
            if (!w.has(field)) {
                continue;
            }
            Condition test = switch (field) {
                case "keys" -> keys(w, problems);
                case "teams" -> {
                    teams = w.names("teams", "team", "an empty list matches no request; remove the key instead");
                    yield new Condition.TeamIn(teams.keySet());
                }
                case "region" -> new Condition.HeaderIn(REGION_HEADER, values(w, "region", problems));
                case "header" -> header(w, problems);
                case "metadata" -> metadata(w, problems);
                case "has_tools" -> new Condition.HasTools(w.bool(field, true));
                case "has_images" -> new Condition.HasImages(w.bool(field, true));
                case "json_mode" -> new Condition.JsonMode(w.bool(field, true));
                case "prompt_tokens_over" ->
                        new Condition.PromptTokensOver(w.wholeNumber(field, 0, 0, Long.MAX_VALUE));
                // Under 0 tokens holds for no request, so the floor is 1.
                case "prompt_tokens_under" ->
                        new Condition.PromptTokensUnder(w.wholeNumber(field, 1, 1, Long.MAX_VALUE));
                case "contains_any" -> new Condition.ContainsAny(List.copyOf(
                        w.names(field, "keyword", "an empty list matches no request; remove the key instead").keySet()));
                case "matches" -> matches(w);
                default -> throw new IllegalStateException("no test for " + field);
            };
            tests.add(test);
        }
        Condition condition = tests.size() == 1 ? tests.getFirst() : new Condition.All(tests);
        return new WhenConfig(condition, teams);
    }

    private static Condition keys(MappingReader w, Diagnostics problems) {
        var keys = w.names("keys", "key", "an empty list matches no request; remove the key instead");
        keys.forEach((name, at) -> TeamsSection.checkName(at, "key", name, problems));
        return new Condition.KeyIn(keys.keySet());
    }

    private static Condition matches(MappingReader w) {
        Pattern pattern = w.parsed("matches", null, ConditionSection::pattern, "expected a regular expression");
        return new Condition.Matches(pattern == null ? Pattern.compile("") : pattern);
    }

    /** A regular expression (Java syntax), compiled. */
    static Pattern pattern(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("an empty pattern matches every request; remove the key instead");
        }
        if (text.length() > MAX_PATTERN_CHARS) {
            throw new IllegalArgumentException("a pattern is at most " + MAX_PATTERN_CHARS + " characters");
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a valid regular expression: " + e.getDescription()
                    + " near index " + e.getIndex(), e);
        }
    }

    /** {@code header: { name: value | [values] }}: several headers are several tests, all of which must hold. */
    private static Condition header(MappingReader w, Diagnostics problems) {
        var tests = new ArrayList<Condition>();
        for (YamlNode.Entry entry : w.entries("header")) {
            String path = Origin.keyPath(w.path("header"), entry.key());
            if (!HEADER_NAME.matcher(entry.key()).matches()) {
                problems.error(entry.origin(path), "'" + entry.key() + "' is not a valid HTTP header name");
            }
            // Header names are case-insensitive; the request's are looked up in lower case.
            tests.add(new Condition.HeaderIn(entry.key().toLowerCase(Locale.ROOT),
                    values(entry.value(), path, problems)));
        }
        return all(w, "header", tests, problems);
    }

    /** {@code metadata: { label: value | [values] }}, tested against the key's labels. */
    private static Condition metadata(MappingReader w, Diagnostics problems) {
        var tests = new ArrayList<Condition>();
        for (YamlNode.Entry entry : w.entries("metadata")) {
            String path = Origin.keyPath(w.path("metadata"), entry.key());
            tests.add(new Condition.MetadataIn(entry.key(), values(entry.value(), path, problems)));
        }
        return all(w, "metadata", tests, problems);
    }

    private static Condition all(MappingReader w, String key, List<Condition> tests, Diagnostics problems) {
        if (tests.isEmpty()) {
            problems.error(w.origin(key), "an empty mapping tests nothing; remove the key instead");
        }
        return tests.size() == 1 ? tests.getFirst() : new Condition.All(tests);
    }

    private static Set<String> values(MappingReader w, String key, Diagnostics problems) {
        return values(w.value(key), w.path(key), problems);
    }

    /** {@code value} or {@code [values]}: the texts a header or label may have for the test to hold. */
    private static Set<String> values(YamlNode node, String path, Diagnostics problems) {
        var values = new LinkedHashSet<String>();
        if (node instanceof YamlNode.Sequence sequence && !sequence.items().isEmpty()) {
            for (int i = 0; i < sequence.items().size(); i++) {
                String itemPath = Origin.itemPath(path, i);
                YamlNode.Scalar scalar = MappingReader.itemScalar(sequence.items().get(i), itemPath, "a value", problems);
                if (scalar != null) {
                    values.add(scalar.text());
                }
            }
        } else if (node instanceof YamlNode.Scalar scalar && scalar.kind() != YamlNode.Kind.NULL) {
            values.add(scalar.text());
        } else {
            problems.error(node.origin(path), "expected a value or a non-empty list of values, got "
                    + (node instanceof YamlNode.Sequence ? "an empty list" : node.kindName()));
        }
        return values;
    }
}
