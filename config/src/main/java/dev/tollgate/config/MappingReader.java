package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads one mapping of a known shape (a section, a provider, a deployment) into typed values, recording a problem
 * for each unknown key, missing required key and malformed value, and returning a fallback so that reading goes
 * on and every problem is found in one pass. A section binder is a list of calls on this class.
 *
 * <p>The keys a mapping accepts are declared up front: they drive unknown-key messages and the schema test, and
 * reading an undeclared key is a bug ({@link IllegalStateException}). Null ({@code key:} with nothing after it)
 * counts as an empty mapping where a mapping is expected, and as a missing value where a single value is.
 */
final class MappingReader {
    private static final Pattern WHOLE = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");
    private static final int USD_DECIMALS = 9;
    /** The fields that take a secret reference, for the message when another one is given one. */
    static final String SECRET_FIELDS = "api_key, aws_access_key_id, aws_secret_access_key, aws_session_token, "
            + "header values, storage.ledger, storage.redis and alert_webhook.authorization";
    /** The most a {@link Money} holds, in whole dollars. */
    static final int MAX_LABELS = 32;
    static final int MAX_LABEL_CHARS = 256;
    private static final BigDecimal MAX_USD = BigDecimal.valueOf(Long.MAX_VALUE / 1_000_000_000L);

    private final String path;
    private final Origin origin;
    private final Set<String> keys;
    private final Diagnostics problems;
    private final Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
    // False when the node was not a mapping at all: that one problem is enough, so missing keys go unreported.
    private final boolean readable;

    private MappingReader(String path, Origin origin, Set<String> keys, Diagnostics problems, boolean readable) {
        this.path = path;
        this.origin = origin;
        this.keys = Set.copyOf(keys);
        this.problems = problems;
        this.readable = readable;
    }

    /** A reader over {@code node}, which should be a mapping; anything else is reported once and reads as empty. */
    static MappingReader of(YamlNode node, String path, Set<String> keys, Diagnostics problems) {
        return of(node, path, keys, problems, entry -> null);
    }

    /**
     * Like {@link #of(YamlNode, String, Set, Diagnostics)}, where {@code advice} may replace the "did you mean" of an
     * unknown key with a reason of its own (null keeps the usual message). The advice must not quote the value.
     */
    static MappingReader of(YamlNode node, String path, Set<String> keys, Diagnostics problems,
            Function<YamlNode.Entry, String> advice) {
        requireNonNull(node, "node");
        Origin at = node.origin(path);
        if (node instanceof YamlNode.Mapping mapping) {
            var reader = new MappingReader(path, at, keys, problems, true);
            for (YamlNode.Entry entry : mapping.entries()) {
                reader.entries.put(entry.key(), entry);
            }
            reader.reportUnknownKeys(advice);
            return reader;
        }
        boolean empty = isNull(node);
        if (!empty) {
            problems.error(at, "expected a mapping, got " + node.kindName());
        }
        return new MappingReader(path, at, keys, problems, empty);
    }

    /** The entries of {@code node} when it is a mapping with free keys (ids, names); null reads as none. */
    private static List<YamlNode.Entry> entriesOf(YamlNode node, String path, Diagnostics problems) {
        if (node instanceof YamlNode.Mapping mapping) {
            return mapping.entries();
        }
        if (!isNull(node)) {
            problems.error(node.origin(path), "expected a mapping, got " + node.kindName());
        }
        return List.of();
    }

    private static boolean isNull(YamlNode node) {
        return node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.NULL;
    }

    /** The path of {@code key} in this mapping. */
    String path(String key) {
        return Origin.keyPath(path, key);
    }

    /** Where this mapping is. */
    Origin origin() {
        return origin;
    }

    /** Where {@code key}'s value is, or this mapping's position when the key is absent. */
    Origin origin(String key) {
        YamlNode.Entry entry = entry(key);
        return entry == null ? origin.withPath(path(key)) : entry.value().origin(path(key));
    }

    /** Where {@code key} itself is written, or this mapping's position when the key is absent. */
    Origin keyOrigin(String key) {
        YamlNode.Entry entry = entry(key);
        return entry == null ? origin.withPath(path(key)) : entry.origin(path(key));
    }

    boolean has(String key) {
        return entry(key) != null;
    }

    /** The value under {@code key} as written, or null when absent: for a value that may take several shapes. */
    YamlNode value(String key) {
        YamlNode.Entry entry = entry(key);
        return entry == null ? null : entry.value();
    }

    /**
     * Whether the node was a mapping or null, as opposed to another value (already reported): only then is a missing
     * key worth reporting.
     */
    boolean readable() {
        return readable;
    }

    /** Whether this is a mapping without entries ({@code when: {}}), as opposed to one with only unknown keys. */
    boolean empty() {
        return readable && entries.isEmpty();
    }

    /** Records a problem when {@code key} is present: it is valid in general but not in this context. */
    void forbid(String key, String reason) {
        if (has(key)) {
            problems.error(keyOrigin(key), "not allowed " + reason);
        }
    }

    /** The mapping under {@code key}, read with {@code childKeys}; an empty one when absent. */
    MappingReader child(String key, Set<String> childKeys) {
        YamlNode.Entry entry = entry(key);
        if (entry == null) {
            return new MappingReader(path(key), origin.withPath(path(key)), childKeys, problems, readable);
        }
        return of(entry.value(), path(key), childKeys, problems);
    }

    /** The entries of the free-keyed mapping under {@code key}; none when absent. */
    List<YamlNode.Entry> entries(String key) {
        YamlNode.Entry entry = entry(key);
        return entry == null ? List.of() : entriesOf(entry.value(), path(key), problems);
    }

    /**
     * The entries of the free-keyed mapping under {@code key}, which must be present and have at least one entry:
     * otherwise one problem ({@code whenEmpty} for an empty one) and none.
     */
    List<YamlNode.Entry> requiredEntries(String key, String whenEmpty) {
        requirePresent(key);
        YamlNode.Entry entry = entry(key);
        if (entry == null) {
            return List.of();
        }
        if (isNull(entry.value()) || entry.value() instanceof YamlNode.Mapping m && m.entries().isEmpty()) {
            problems.error(origin(key), whenEmpty);
            return List.of();
        }
        return entriesOf(entry.value(), path(key), problems);
    }

    /**
     * The items of the list under {@code key}, which must be present and have at least one item: otherwise one
     * problem ({@code whenEmpty} for an empty list) and none.
     */
    List<YamlNode> requiredItems(String key, String whenEmpty) {
        requirePresent(key);
        YamlNode.Entry entry = entry(key);
        if (entry == null) {
            return List.of();
        }
        YamlNode node = entry.value();
        if (isNull(node) || node instanceof YamlNode.Sequence s && s.items().isEmpty()) {
            problems.error(origin(key), whenEmpty);
            return List.of();
        }
        if (node instanceof YamlNode.Sequence sequence) {
            return sequence.items();
        }
        problems.error(origin(key), "expected a list, got " + node.kindName());
        return List.of();
    }

    /**
     * The items of the optional list under {@code key}: null when absent, none when it is not a list (reported). An
     * empty list is reported with {@code whenEmpty} where it would hide a slip (an empty allow-list reads as "no
     * restriction"); null {@code whenEmpty} accepts it.
     */
    List<YamlNode> items(String key, String whenEmpty) {
        YamlNode.Entry entry = entry(key);
        if (entry == null) {
            return null;
        }
        YamlNode node = entry.value();
        boolean empty = isNull(node) || node instanceof YamlNode.Sequence s && s.items().isEmpty();
        if (empty && whenEmpty != null) {
            problems.error(origin(key), whenEmpty);
        } else if (node instanceof YamlNode.Sequence sequence) {
            return sequence.items();
        } else if (!empty) {
            problems.error(origin(key), "expected a list, got " + node.kindName());
        }
        return List.of();
    }

    /** A list item that should be a single value: its scalar, or null (reported) when it is a list, mapping or null. */
    static YamlNode.Scalar itemScalar(YamlNode item, String path, String expected, Diagnostics problems) {
        if (item instanceof YamlNode.Scalar scalar && scalar.kind() != YamlNode.Kind.NULL) {
            return scalar;
        }
        problems.error(item.origin(path), "expected " + expected + ", got " + item.kindName());
        return null;
    }

    /**
     * The names in the optional list under {@code key}, each with its position, in file order; none when absent.
     * A name listed twice is reported. {@code what} names one item in messages ("model").
     */
    Map<String, Origin> names(String key, String what, String whenEmpty) {
        List<YamlNode> items = items(key, whenEmpty);
        return items == null ? Map.of() : names(items, path(key), what, problems);
    }

    /** The names in {@code items} (a list at {@code path}), as {@link #names(String, String, String)} reads them. */
    static Map<String, Origin> names(List<YamlNode> items, String path, String what, Diagnostics problems) {
        var names = new LinkedHashMap<String, Origin>();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = Origin.itemPath(path, i);
            YamlNode.Scalar scalar = itemScalar(items.get(i), itemPath, "a " + what + " name", problems);
            if (scalar == null) {
                continue;
            }
            Origin at = scalar.origin(itemPath);
            if (scalar.text().isBlank()) {
                problems.error(at, "a " + what + " name cannot be empty");
            } else if (names.putIfAbsent(scalar.text(), at) != null) {
                problems.error(at, what + " '" + scalar.text() + "' is listed twice");
            }
        }
        return names;
    }

    /**
     * The single values of the free-keyed mapping under {@code key} as text (labels such as {@code owner: alice});
     * none when absent. Numbers and booleans are taken as written.
     */
    Map<String, String> labels(String key) {
        var labels = new LinkedHashMap<String, String>();
        List<YamlNode.Entry> entries = entries(key);
        if (entries.size() > MAX_LABELS) {
            // Labels travel with every key the admin API lists: a few short ones, not a document store.
            problems.error(origin(key), "at most " + MAX_LABELS + " entries, found " + entries.size());
            return labels;
        }
        for (YamlNode.Entry entry : entries) {
            String itemPath = Origin.keyPath(path(key), entry.key());
            YamlNode.Scalar scalar = itemScalar(entry.value(), itemPath, "a single value", problems);
            if (scalar == null) {
                continue;
            }
            if (entry.key().length() > MAX_LABEL_CHARS || scalar.text().length() > MAX_LABEL_CHARS) {
                problems.error(scalar.origin(itemPath), "names and values are at most " + MAX_LABEL_CHARS
                        + " characters");
            } else {
                labels.put(entry.key(), scalar.text());
            }
        }
        return labels;
    }

    /** One of {@code allowed}, required; null (reported) when missing or another value. */
    String choice(String key, List<String> allowed) {
        String value = requiredString(key);
        if (value != null && !allowed.contains(value)) {
            problems.error(origin(key), "must be one of " + String.join(", ", allowed) + ", got '" + value + "'"
                    + Suggestion.didYouMean(value, allowed));
            return null;
        }
        return value;
    }

    /** A string, or null when absent or unusable. A secret reference here is an error: this is no secret field. */
    String string(String key) {
        YamlNode.Scalar scalar = plainScalar(key, "a string");
        return scalar == null ? null : scalar.text();
    }

    /** Like {@link #string}, but a missing key is a problem. */
    String requiredString(String key) {
        requirePresent(key);
        return string(key);
    }

    /**
     * The text of a single value, or null when absent or not a single value. Never quotes the value in a message:
     * callers pass secret-bearing fields through here.
     */
    String text(String key) {
        YamlNode.Scalar scalar = scalar(key, "a string");
        return scalar == null ? null : scalar.text();
    }

    /** Records a problem when {@code key} is missing (unless this mapping itself was unreadable). */
    void requirePresent(String key) {
        if (readable && !has(key)) {
            problems.error(origin.withPath(path(key)), "required key is missing");
        }
    }

    int integer(String key, int fallback, int min, int max) {
        return (int) wholeNumber(key, fallback, min, max);
    }

    long wholeNumber(String key, long fallback, long min, long max) {
        YamlNode.Scalar scalar = scalar(key, "a whole number");
        if (scalar == null) {
            return fallback;
        }
        if (scalar.kind() != YamlNode.Kind.INTEGER || !WHOLE.matcher(scalar.text()).matches()) {
            return wrongKind(key, scalar, "a whole number", fallback);
        }
        long value;
        try {
            value = Long.parseLong(scalar.text());
        } catch (NumberFormatException e) {
            problems.error(origin(key), "number " + scalar.quoted() + " is too large");
            return fallback;
        }
        return inRange(key, value, min, max, Long.toString(min), Long.toString(max), scalar.text()) ? value : fallback;
    }

    double number(String key, double fallback, double min, double max) {
        YamlNode.Scalar scalar = scalar(key, "a number");
        if (scalar == null) {
            return fallback;
        }
        boolean numeric = scalar.kind() == YamlNode.Kind.INTEGER || scalar.kind() == YamlNode.Kind.FLOAT;
        if (!numeric || !DECIMAL.matcher(scalar.text()).matches()) {
            return wrongKind(key, scalar, "a number", fallback);
        }
        double value = Double.parseDouble(scalar.text());
        if (value < min || value > max) {
            problems.error(origin(key),
                    "must be between " + plain(min) + " and " + plain(max) + ", got " + scalar.text());
            return fallback;
        }
        return value;
    }

    /**
     * An amount in US dollars, written as a plain number: at most nine decimals (a whole nano-dollar), above zero or
     * (with {@code zeroAllowed}) at least zero. Null when absent or unusable.
     */
    Money usd(String key, boolean zeroAllowed) {
        YamlNode.Scalar scalar = scalar(key, "a number");
        if (scalar == null) {
            return null;
        }
        boolean numeric = scalar.kind() == YamlNode.Kind.INTEGER || scalar.kind() == YamlNode.Kind.FLOAT;
        if (!numeric || !DECIMAL.matcher(scalar.text()).matches()) {
            return wrongKind(key, scalar, "a number", null);
        }
        BigDecimal value = new BigDecimal(scalar.text());
        String wrong = null;
        // Checked before any scaling: an exponent such as 1e999999999 must not be expanded digit by digit.
        if (value.abs().compareTo(MAX_USD) > 0) {
            wrong = "is too large (at most " + MAX_USD.toPlainString() + ")";
        } else if (value.signum() < 0 || value.signum() == 0 && !zeroAllowed) {
            wrong = zeroAllowed ? "must be at least 0" : "must be more than 0";
        } else if (value.stripTrailingZeros().scale() > USD_DECIMALS) {
            wrong = "has more than " + USD_DECIMALS + " decimals (the smallest amount is a nano-dollar)";
        }
        if (wrong != null) {
            problems.error(origin(key), wrong + ", got " + scalar.text());
            return null;
        }
        return Money.ofUsd(value);
    }

    boolean bool(String key, boolean fallback) {
        YamlNode.Scalar scalar = scalar(key, "true or false");
        if (scalar == null) {
            return fallback;
        }
        if (scalar.kind() != YamlNode.Kind.BOOLEAN) {
            problems.error(origin(key), "expected true or false, got " + scalar.quoted());
            return fallback;
        }
        return Boolean.parseBoolean(scalar.text());
    }

    Duration duration(String key, Duration fallback, Duration min) {
        Duration value = parsed(key, null, DurationSyntax::parse, DurationSyntax.EXPECTED);
        if (value == null) {
            return fallback;
        }
        if (value.compareTo(min) < 0) {
            problems.error(origin(key), "must be at least " + DurationSyntax.format(min) + ", got " + text(key));
            return fallback;
        }
        return value;
    }

    /** Like {@link #duration(String, Duration, Duration)}, and at most {@code max}. */
    Duration duration(String key, Duration fallback, Duration min, Duration max) {
        Duration value = duration(key, null, min);
        if (value == null) {
            return fallback;
        }
        if (value.compareTo(max) > 0) {
            problems.error(origin(key), "must be at most " + DurationSyntax.format(max) + ", got " + text(key));
            return fallback;
        }
        return value;
    }

    long size(String key, long fallback, long min, long max) {
        Long value = parsed(key, null, SizeSyntax::parse, SizeSyntax.EXPECTED);
        if (value == null) {
            return fallback;
        }
        boolean ok = inRange(key, value, min, max, SizeSyntax.format(min), SizeSyntax.format(max), text(key));
        return ok ? value : fallback;
    }

    /**
     * A value in a syntax of its own (an address, a URL): {@code parse} throws {@link IllegalArgumentException}
     * with the message to report. Returns {@code fallback} when absent or unusable.
     */
    <T> T parsed(String key, T fallback, Function<String, T> parse, String expected) {
        YamlNode.Scalar scalar = plainScalar(key, expected.replaceFirst("^expected ", ""));
        if (scalar == null) {
            return fallback;
        }
        try {
            return parse.apply(scalar.text());
        } catch (IllegalArgumentException e) {
            problems.error(origin(key), e.getMessage());
            return fallback;
        }
    }

    private YamlNode.Entry entry(String key) {
        if (!keys.contains(key)) {
            throw new IllegalStateException("key '" + key + "' is read at " + path + " but not declared there");
        }
        return entries.get(key);
    }

    /** The scalar under {@code key}: null when absent, or (reported) when null or not a single value. */
    private YamlNode.Scalar scalar(String key, String expected) {
        YamlNode.Entry entry = entry(key);
        if (entry == null) {
            return null;
        }
        if (!(entry.value() instanceof YamlNode.Scalar scalar)) {
            problems.error(origin(key), "expected " + expected + ", got " + entry.value().kindName());
            return null;
        }
        if (scalar.kind() == YamlNode.Kind.NULL) {
            problems.error(origin(key), "missing value (remove the key to use the default)");
            return null;
        }
        return scalar;
    }

    /** Like {@link #scalar}, and a secret reference is an error: only secret-bearing fields take one. */
    private YamlNode.Scalar plainScalar(String key, String expected) {
        YamlNode.Scalar scalar = scalar(key, expected);
        if (scalar != null && SecretReferences.isReference(scalar.text())) {
            problems.error(origin(key), "secret references (${...}) are only allowed in " + SECRET_FIELDS);
            return null;
        }
        return scalar;
    }

    private <T> T wrongKind(String key, YamlNode.Scalar scalar, String expected, T fallback) {
        String hint = scalar.kind() == YamlNode.Kind.STRING && DECIMAL.matcher(scalar.text()).matches()
                ? " (remove the quotes)" : "";
        problems.error(origin(key), "expected " + expected + ", got " + scalar.quoted() + hint);
        return fallback;
    }

    /** Whether {@code value} is within bounds, recording a problem that shows {@code written} when not. */
    private boolean inRange(String key, long value, long min, long max, String minText, String maxText,
            String written) {
        if (value >= min && value <= max) {
            return true;
        }
        String range = max == Long.MAX_VALUE
                ? "must be at least " + minText
                : "must be between " + minText + " and " + maxText;
        problems.error(origin(key), range + ", got " + written);
        return false;
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private void reportUnknownKeys(Function<YamlNode.Entry, String> advice) {
        for (YamlNode.Entry entry : entries.values()) {
            if (!keys.contains(entry.key())) {
                String reason = advice.apply(entry);
                String suggestion = Suggestion.didYouMean(entry.key(), keys);
                String message = "unknown key '" + entry.key() + "'" + (reason != null ? ": " + reason
                        : suggestion.isEmpty() ? "; valid keys: " + String.join(", ", new TreeSet<>(keys))
                        : suggestion);
                problems.error(entry.origin(path(entry.key())), message);
            }
        }
    }
}
