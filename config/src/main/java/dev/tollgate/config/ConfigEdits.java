package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Changes the gateway makes to a config file's text on an admin's behalf: moving a prompt label and removing an
 * experiment. Each edit touches only the lines it must, so the file keeps its comments, order, quoting and
 * indentation, and the result is what a careful person would have typed. Positions come from the YAML reader (keys
 * and scalars are located to the character); anything the edit cannot place with certainty (a flow-style mapping
 * that lacks the entry, say) is refused with a message asking for the edit by hand, never guessed.
 *
 * <p>Every edit is read back before it is returned: the result must mean the text it was made from with the one
 * intended change, and nothing else (a line placed inside a value written over several lines, say, would change
 * that value). An edit that fails this is refused, never returned.
 *
 * <p>Stateless and pure: text in, text out. The caller loads the result like any other config, so an edit that makes
 * the config invalid is rejected by the same checks as a hand edit.
 */
public final class ConfigEdits {
    private static final String PROMPTS = "prompts";
    private static final String EXPERIMENTS = "experiments";
    private static final String LABELS = "labels";

    private ConfigEdits() {}

    /** An explicit null as YAML writes it: a label block written {@code labels: ~} has no entries yet. */
    private static final Pattern EXPLICIT_NULL = Pattern.compile("(~|null|Null|NULL)(?=\\s|$)");

    /** An edit that cannot be made to this text as it is written; the message says why and what to do instead. */
    public static final class Refused extends IllegalArgumentException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * The text with {@code prompts.<prompt>.labels.<label>} set to {@code version}: the value replaced where the label
     * exists, else an entry added to the prompt's {@code labels} block (created when the prompt has none).
     *
     * @throws Refused when the text does not parse, has no such prompt, writes the place to edit in flow style
     *     ({@code {...}}) without the label in it, or is written so that the edit would change anything else
     */
    public static String setLabel(String text, String prompt, String label, int version) {
        requireNonNull(prompt, "prompt");
        requireNonNull(label, "label");
        if (version < 1) {
            throw new IllegalArgumentException("prompt versions are numbered from 1");
        }
        Doc doc = Doc.parse(text);
        String edited = labelEdit(doc, prompt, label, version);
        return doc.verified(edited, "label '" + label + "' of prompt '" + prompt + "'", meaning -> {
            Map<String, Object> promptMeaning = child(child(meaning, PROMPTS), prompt);
            if (!(promptMeaning.get(LABELS) instanceof Map<?, ?>)) {
                promptMeaning.put(LABELS, new LinkedHashMap<String, Object>());
            }
            child(promptMeaning, LABELS).put(label, new Value(YamlNode.Kind.INTEGER, Integer.toString(version)));
        });
    }

    private static String labelEdit(Doc doc, String prompt, String label, int version) {
        YamlNode.Entry promptEntry = entry(doc.root(), PROMPTS) instanceof YamlNode.Entry prompts
                ? entry(prompts.value(), prompt) : null;
        if (promptEntry == null) {
            throw new Refused("The config file has no prompt '" + prompt + "' under 'prompts'.");
        }
        if (!(promptEntry.value() instanceof YamlNode.Mapping promptMap)) {
            throw new Refused("Prompt '" + prompt + "' in the config file is not a mapping; edit the file.");
        }
        doc.writtenInPlace(promptEntry, "prompt '" + prompt + "'");
        String value = Integer.toString(version);
        YamlNode.Entry labels = entry(promptMap, LABELS);
        if (labels != null) {
            doc.writtenInPlace(labels, "the labels of prompt '" + prompt + "'");
        }
        if (labels != null && labels.value() instanceof YamlNode.Mapping labelMap) {
            YamlNode.Entry existing = entry(labelMap, label);
            if (existing != null) {
                if (!(existing.value() instanceof YamlNode.Scalar scalar) || scalar.kind() == YamlNode.Kind.NULL) {
                    throw new Refused("Label '" + label + "' of prompt '" + prompt + "' has no version number "
                            + "written after it; edit the file.");
                }
                return doc.replaceScalar(scalar, value);
            }
            if (doc.isFlow(labelMap) || labelMap.entries().isEmpty()) {
                throw new Refused("The labels of prompt '" + prompt + "' are written in flow style ({...}); add '"
                        + label + ": " + version + "' to them by editing the file.");
            }
            YamlNode.Entry last = labelMap.entries().getLast();
            YamlNode.Entry first = labelMap.entries().getFirst();
            return doc.insertAfter(last.value().line(), indent(first.column()) + key(label) + ": " + value);
        }
        if (labels != null && !(labels.value() instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.NULL)) {
            throw new Refused("'labels' of prompt '" + prompt + "' is not a mapping; edit the file.");
        }
        if (doc.isFlow(promptMap) || promptMap.entries().isEmpty()
                || promptMap.entries().getFirst().line() == promptEntry.line()) {
            throw new Refused("Prompt '" + prompt + "' is written in flow style ({...}); add 'labels: {" + label
                    + ": " + version + "}' to it by editing the file.");
        }
        int siblings = promptMap.entries().getFirst().column();
        String step = indent(siblings - promptEntry.column() + 1);
        if (labels != null) { // "labels:" with nothing after it, or an explicit null ("labels: ~") dropped first
            return doc.withoutExplicitNull((YamlNode.Scalar) labels.value())
                    .insertAfter(labels.line(), indent(siblings) + step + key(label) + ": " + value);
        }
        return doc.insertAfter(promptEntry.line(), indent(siblings) + LABELS + ":",
                indent(siblings) + step + key(label) + ": " + value);
    }

    /**
     * The text without {@code experiments.<name>}: its key's line and every line after it up to the next
     * experiment, or to the end of the section. Blank lines and comments just before what follows, indented no
     * deeper than the experiment's key, are kept (they are about what follows). When it was the only experiment, {@code experiments:} is left with no
     * value, which the config reads as none.
     *
     * @throws Refused when the text does not parse, has no such experiment, writes {@code experiments} in flow
     *     style, or is written so that removing those lines would change anything else
     */
    public static String deleteExperiment(String text, String name) {
        requireNonNull(name, "name");
        Doc doc = Doc.parse(text);
        YamlNode.Entry section = entry(doc.root(), EXPERIMENTS);
        YamlNode.Entry target = section == null ? null : entry(section.value(), name);
        if (target == null) {
            throw new Refused("The config file has no experiment '" + name + "' under 'experiments'.");
        }
        var experiments = (YamlNode.Mapping) section.value();
        if (doc.isFlow(experiments) || target.line() == section.line()) {
            throw new Refused("'experiments' is written in flow style ({...}); remove '" + name
                    + "' by editing the file.");
        }
        List<YamlNode.Entry> entries = experiments.entries();
        int index = entries.indexOf(target);
        int end; // first line kept after the removed ones (1-based), lines() + 1 for the end of the text
        if (index + 1 < entries.size()) {
            end = entries.get(index + 1).line();
        } else {
            List<YamlNode.Entry> roots = ((YamlNode.Mapping) doc.root()).entries();
            int sectionIndex = roots.indexOf(section);
            end = sectionIndex + 1 < roots.size() ? roots.get(sectionIndex + 1).line() : doc.lineCount() + 1;
        }
        // Blank lines and comments no deeper than the experiment's key belong to what follows.
        while (end - 1 > target.line() && doc.isTrailer(end - 1, target.column())) {
            end--;
        }
        boolean last = entries.size() == 1;
        return doc.verified(doc.deleteLines(target.line(), end), "experiment '" + name + "'", meaning -> {
            if (last) {
                meaning.put(EXPERIMENTS, new Value(YamlNode.Kind.NULL, ""));
            } else {
                child(meaning, EXPERIMENTS).remove(name);
            }
        });
    }

    /** Where a key is written: 1-based. */
    public record Position(int line, int column) {}

    /**
     * Where the key at {@code path} (one key per level from the root) is written, or null when the text does not
     * parse or has no such key: where a problem about that value is reported.
     */
    public static Position position(String text, String... path) {
        YamlNode node = YamlTreeReader.read(text, new Diagnostics("edit"));
        YamlNode.Entry found = null;
        for (String key : path) {
            found = node == null ? null : entry(node, key);
            if (found == null) {
                return null;
            }
            node = found.value();
        }
        return found == null ? null : new Position(found.line(), found.column());
    }

    private static YamlNode.Entry entry(YamlNode node, String key) {
        if (node instanceof YamlNode.Mapping mapping) {
            for (YamlNode.Entry e : mapping.entries()) {
                if (e.key().equals(key)) {
                    return e;
                }
            }
        }
        return null;
    }

    /** A scalar's meaning: how YAML reads it, without where it is written. */
    private record Value(YamlNode.Kind kind, String text) {}

    /** What a node means, as maps (order aside), lists and {@link Value}s: two texts that mean the same are equal. */
    private static Object meaning(YamlNode node) {
        return switch (node) {
            case YamlNode.Mapping m -> {
                var out = new LinkedHashMap<String, Object>();
                m.entries().forEach(e -> out.put(e.key(), meaning(e.value())));
                yield out;
            }
            case YamlNode.Sequence s -> s.items().stream().map(ConfigEdits::meaning).toList();
            case YamlNode.Scalar s -> new Value(s.kind(), s.text());
        };
    }

    /** The mapping under {@code key} of a meaning the edit has already found in the text. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> meaning, String key) {
        return (Map<String, Object>) meaning.get(key);
    }

    /** Spaces that put the next character at 1-based {@code column}. */
    private static String indent(int column) {
        return " ".repeat(Math.max(0, column - 1));
    }

    /** A key written plain when YAML reads it back as the same string, else double-quoted. */
    private static String key(String key) {
        boolean plain = !key.isEmpty() && key.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c)
                || c == '_' || c == '-' || c == '.')) && Character.isLetter(key.charAt(0));
        if (plain && !List.of("true", "false", "null", "yes", "no", "on", "off", "y", "n")
                .contains(key.toLowerCase(Locale.ROOT))) {
            return key;
        }
        return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The text as lines (each with its line end), and its parsed tree. */
    private record Doc(List<String> lines, YamlNode root, String newline) {
        static Doc parse(String text) {
            var problems = new Diagnostics("config");
            YamlNode root = YamlTreeReader.read(text, problems);
            if (root == null || problems.hasErrors() || !(root instanceof YamlNode.Mapping)) {
                throw new Refused("The config file does not parse as a config ("
                        + (problems.hasErrors() ? problems.errors().getFirst().toString() : "not a mapping")
                        + "); fix it first.");
            }
            var lines = new ArrayList<String>();
            int start = 0;
            while (start < text.length()) {
                int end = text.indexOf('\n', start);
                end = end < 0 ? text.length() : end + 1;
                lines.add(text.substring(start, end));
                start = end;
            }
            return new Doc(lines, root, text.contains("\r\n") ? "\r\n" : "\n");
        }

        int lineCount() {
            return lines.size();
        }

        /**
         * The text read back, when it means this one with {@code change} made to its meaning, and nothing else.
         *
         * @throws Refused otherwise, naming {@code what} the edit was about
         */
        String verified(String edited, String what, Consumer<Map<String, Object>> change) {
            @SuppressWarnings("unchecked")
            var expected = (Map<String, Object>) meaning(root);
            change.accept(expected);
            var problems = new Diagnostics("config");
            YamlNode after = YamlTreeReader.read(edited, problems);
            if (after == null || problems.hasErrors() || !expected.equals(meaning(after))) {
                throw new Refused("The config file is written in a way this edit of " + what + " cannot follow "
                        + "without changing something else; edit the file.");
            }
            return edited;
        }

        /**
         * The index in line {@code line} of 1-based column {@code column}: the reader counts columns in code points,
         * and a character beyond the basic plane (an emoji) is one code point but two chars.
         */
        int index(int line, int column) {
            String l = content(line);
            return l.offsetByCodePoints(0, Math.min(column - 1, l.codePointCount(0, l.length())));
        }

        /**
         * This text without an explicit null ({@code ~}, {@code null}) written as {@code value}, so that a block can
         * follow its key; a comment after it stays.
         */
        Doc withoutExplicitNull(YamlNode.Scalar value) {
            String l = content(value.line());
            int at = index(value.line(), value.column());
            var matcher = EXPLICIT_NULL.matcher(l).region(at, l.length());
            if (!matcher.lookingAt()) {
                return this; // nothing written: the key ends its line, or a comment follows it
            }
            var out = new ArrayList<>(lines);
            out.set(value.line() - 1, l.substring(0, at).stripTrailing() + l.substring(matcher.end())
                    + lineEnd(value.line()));
            return new Doc(out, root, newline);
        }

        /** The 1-based line {@code line} without its line end. */
        String content(int line) {
            String l = lines.get(line - 1);
            int cut = l.endsWith("\r\n") ? 2 : l.endsWith("\n") ? 1 : 0;
            return l.substring(0, l.length() - cut);
        }

        /**
         * Refuses an entry whose value is shared through YAML anchors: an alias ({@code *common}) gives the anchored
         * node, written elsewhere, and editing an anchored one ({@code &common}) changes every alias of it too. An
         * alias is known by its value starting before its own key (an anchor is defined before its aliases), an
         * anchor by the {@code &} between the key and its value.
         */
        void writtenInPlace(YamlNode.Entry entry, String what) {
            YamlNode value = entry.value();
            boolean alias = value.line() < entry.line()
                    || value.line() == entry.line() && value.column() < entry.column();
            // The value's position may be at its anchor or after it: its first character is looked at too.
            if (alias || between(entry.line(), entry.column(), value.line(), value.column() + 1).indexOf('&') >= 0) {
                throw new Refused("The config file shares " + what + " with other places through a YAML anchor ("
                        + (alias ? "*" : "&") + "); edit the file.");
            }
        }

        /** The text from 1-based line and column {@code (l1, c1)} up to {@code (l2, c2)}, exclusive. */
        private String between(int l1, int c1, int l2, int c2) {
            var out = new StringBuilder();
            for (int line = l1; line <= l2; line++) {
                String l = content(line);
                int from = line == l1 ? index(line, c1) : 0;
                int to = line == l2 ? index(line, c2) : l.length();
                out.append(l, from, Math.max(from, to)).append('\n');
            }
            return out.toString();
        }

        /** Whether the mapping is written {@code {...}}: its position is then at the brace. */
        boolean isFlow(YamlNode.Mapping mapping) {
            String l = content(mapping.line());
            int at = index(mapping.line(), mapping.column());
            return at < l.length() && l.charAt(at) == '{';
        }

        /** A blank line, or a comment starting at {@code column} or before it. */
        boolean isTrailer(int line, int column) {
            String l = content(line);
            String stripped = l.stripLeading();
            if (stripped.isEmpty()) {
                return true;
            }
            return stripped.startsWith("#") && l.length() - stripped.length() < column;
        }

        String replaceScalar(YamlNode.Scalar scalar, String value) {
            String l = content(scalar.line());
            int from = index(scalar.line(), scalar.column());
            int to = scalarEnd(l, from);
            var out = new ArrayList<>(lines);
            out.set(scalar.line() - 1, l.substring(0, from) + value + l.substring(to) + lineEnd(scalar.line()));
            return String.join("", out);
        }

        /** Where the scalar starting at {@code from} ends on its line (exclusive). */
        private static int scalarEnd(String l, int from) {
            char open = l.charAt(from);
            if (open == '"' || open == '\'') {
                for (int i = from + 1; i < l.length(); i++) {
                    char c = l.charAt(i);
                    if (open == '"' && c == '\\') {
                        i++;
                    } else if (c == open) {
                        if (open == '\'' && i + 1 < l.length() && l.charAt(i + 1) == '\'') {
                            i++; // '' is an escaped quote
                        } else {
                            return i + 1;
                        }
                    }
                }
                throw new Refused("The value to replace is quoted text running over more than one line; edit the file.");
            }
            int end = from;
            while (end < l.length()) {
                char c = l.charAt(end);
                if (c == ',' || c == '}' || c == ']' || c == '#' && end > from && l.charAt(end - 1) == ' ') {
                    break;
                }
                end++;
            }
            while (end > from && l.charAt(end - 1) == ' ') {
                end--;
            }
            return end;
        }

        private String lineEnd(int line) {
            String l = lines.get(line - 1);
            return l.endsWith("\r\n") ? "\r\n" : l.endsWith("\n") ? "\n" : "";
        }

        /** {@code added} lines put after 1-based line {@code line}. */
        String insertAfter(int line, String... added) {
            var out = new ArrayList<>(lines);
            if (lineEnd(line).isEmpty()) { // the last line had no line end: it needs one before the new lines
                out.set(line - 1, out.get(line - 1) + newline);
            }
            int at = line;
            for (String a : added) {
                out.add(at++, a + newline);
            }
            return String.join("", out);
        }

        /** Without lines {@code from} (1-based, inclusive) to {@code to} (exclusive). */
        String deleteLines(int from, int to) {
            var out = new ArrayList<String>(lines.subList(0, from - 1));
            out.addAll(lines.subList(to - 1, lines.size()));
            return String.join("", out);
        }
    }
}
