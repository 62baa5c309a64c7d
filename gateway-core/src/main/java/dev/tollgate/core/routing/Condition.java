package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A test on a request's features: the {@code when} of tier rules and route rules. Pure and thread-safe; the
 * patterns are compiled once, at config load.
 */
public sealed interface Condition {

    boolean test(RequestFeatures request);

    /** Every condition holds (a {@code when} with several fields); an empty list always holds. */
    record All(List<Condition> conditions) implements Condition {
        public All {
            conditions = List.copyOf(conditions);
        }

        @Override
        public boolean test(RequestFeatures request) {
            for (Condition c : conditions) {
                if (!c.test(request)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The estimated prompt is longer than {@code tokens}. */
    record PromptTokensOver(long tokens) implements Condition {
        @Override
        public boolean test(RequestFeatures request) {
            return request.promptTokens() > tokens;
        }
    }

    /** The estimated prompt is shorter than {@code tokens}. */
    record PromptTokensUnder(long tokens) implements Condition {
        @Override
        public boolean test(RequestFeatures request) {
            return request.promptTokens() < tokens;
        }
    }

    record HasTools(boolean expected) implements Condition {
        @Override
        public boolean test(RequestFeatures request) {
            return request.hasTools() == expected;
        }
    }

    record HasImages(boolean expected) implements Condition {
        @Override
        public boolean test(RequestFeatures request) {
            return request.hasImages() == expected;
        }
    }

    record JsonMode(boolean expected) implements Condition {
        @Override
        public boolean test(RequestFeatures request) {
            return request.jsonMode() == expected;
        }
    }

    /** The last user message matches a regular expression somewhere. */
    record Matches(Pattern pattern) implements Condition {
        public Matches {
            requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean test(RequestFeatures request) {
            return pattern.matcher(request.lastUserText()).find();
        }
    }

    /** The last user message contains one of the keywords, ignoring case. */
    record ContainsAny(List<String> keywords) implements Condition {
        public ContainsAny {
            keywords = keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
        }

        @Override
        public boolean test(RequestFeatures request) {
            String text = request.lastUserText().toLowerCase(Locale.ROOT);
            for (String k : keywords) {
                if (text.contains(k)) {
                    return true;
                }
            }
            return false;
        }
    }

    record KeyIn(Set<String> keys) implements Condition {
        public KeyIn {
            keys = Set.copyOf(keys);
        }

        @Override
        public boolean test(RequestFeatures request) {
            return request.key() != null && keys.contains(request.key());
        }
    }

    record TeamIn(Set<String> teams) implements Condition {
        public TeamIn {
            teams = Set.copyOf(teams);
        }

        @Override
        public boolean test(RequestFeatures request) {
            return request.team() != null && teams.contains(request.team());
        }
    }

    /** A request header (lower-case name) has one of the values. */
    record HeaderIn(String name, Set<String> values) implements Condition {
        public HeaderIn {
            requireNonNull(name, "name");
            values = Set.copyOf(values);
        }

        @Override
        public boolean test(RequestFeatures request) {
            String value = request.header(name);
            return value != null && values.contains(value);
        }
    }

    /** A metadata label of the key has one of the values. */
    record MetadataIn(String name, Set<String> values) implements Condition {
        public MetadataIn {
            requireNonNull(name, "name");
            values = Set.copyOf(values);
        }

        @Override
        public boolean test(RequestFeatures request) {
            String value = request.metadata().get(name);
            return value != null && values.contains(value);
        }
    }
}
