package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Changes the gateway makes to a config file's text on an admin's behalf: moving a prompt label and removing an
 * experiment. Each edit touches only the lines it must, so the file keeps its comments, order, quoting and
 * indentation, and the result is what a careful person would have typed. Positions come from the YAML reader (keys
 * and scalars are located to the character); anything the edit cannot place with certainty (a flow-style mapping
 * that lacks the entry, say) is refused with a message asking for the edit by hand, never guessed.
 *
 * <p>Stateless and pure: text in, text out. The caller loads the result like any other config, so an edit that makes
 * the config invalid is rejected by the same checks as a hand edit.
 */
public final class ConfigEdits {
    private static final String PROMPTS = "prompts";
    private static final String EXPERIMENTS = "experiments";
    private static final String LABELS = "labels";

    private ConfigEdits() {}

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
     * @throws Refused when the text does not parse, has no such prompt, or writes the place to edit in flow style
     *     ({@code {...}}) without the label in it
     */
    public static String setLabel(String text, String prompt, String label, int version) {
        requireNonNull(prompt, "prompt");
        requireNonNull(label, "label");
        if (version < 1) {
            throw new IllegalArgumentException("prompt versions are numbered from 1");
        }
        Doc doc = Doc.parse(text);
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
        if (labels != null) { // "labels:" with nothing after it
            return doc.insertAfter(labels.line(), indent(siblings) + step + key(label) + ": " + value);
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
     * @throws Refused when the text does not parse, has no such experiment, or writes {@code experiments} in flow
     *     style
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
        return doc.deleteLines(target.line(), end);
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
                int from = line == l1 ? Math.min(c1 - 1, l.length()) : 0;
                int to = line == l2 ? Math.min(c2 - 1, l.length()) : l.length();
                out.append(l, from, Math.max(from, to)).append('\n');
            }
            return out.toString();
        }

        /** Whether the mapping is written {@code {...}}: its position is then at the brace. */
        boolean isFlow(YamlNode.Mapping mapping) {
            String l = content(mapping.line());
            int at = mapping.column() - 1;
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
            int from = scalar.column() - 1;
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
