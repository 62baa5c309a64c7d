package dev.tollgate.config;

import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.prompt.PromptMessage;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.prompt.Template;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Binds {@code prompts}: versioned templates by id, and the labels pointing at their versions. A prompt's versions
 * are written under it or, with {@code versions_file}, in a file of their own whose problems are reported under
 * that file's name. Checks within one prompt (templates parse, labels point at versions it has) are made here;
 * whether a version's model exists is left to {@link PromptsValidator}.
 */
final class PromptsSection {
    static final Set<String> KEYS = Set.of("description", "labels", "versions", "versions_file");
    static final Set<String> VERSION_KEYS = Set.of("note", "model", "params", "system", "messages");
    static final Set<String> PARAM_KEYS = Set.of(
            "temperature", "top_p", "max_tokens", "stop", "seed", "presence_penalty", "frequency_penalty");
    static final Set<String> MESSAGE_KEYS = Set.of("role", "content");
    /** The roles a prompt message may take, by the name the file uses. */
    static final Map<String, Role> ROLES;
    /** As many stop sequences as the OpenAI API accepts. */
    static final int MAX_STOP = 4;
    /**
     * Version numbers as written: a whole number from 1 to {@link PromptVersion#MAX_NUMBER}, as a request names one
     * ({@code support@3}), without leading zeros so that each version has one spelling.
     */
    static final String VERSION_PATTERN = "^[1-9][0-9]{0,8}$";
    private static final String VERSION_RULE = "a version number is a whole number from 1 to "
            + PromptVersion.MAX_NUMBER;

    static {
        var roles = new LinkedHashMap<String, Role>();
        roles.put("system", Role.SYSTEM);
        roles.put("user", Role.USER);
        roles.put("assistant", Role.ASSISTANT);
        ROLES = Collections.unmodifiableMap(roles);
    }

    private PromptsSection() {}

    /** @param base the directory a relative {@code versions_file} resolves against: the config file's */
    static Map<String, PromptConfig> bind(List<YamlNode.Entry> entries, String path, Path base, Diagnostics problems) {
        var prompts = new LinkedHashMap<String, PromptConfig>();
        for (YamlNode.Entry entry : entries) {
            String promptPath = Origin.keyPath(path, entry.key());
            TeamsSection.checkName(entry.origin(promptPath), "prompt", entry.key(), problems);
            MappingReader p = MappingReader.of(entry.value(), promptPath, KEYS, problems);
            Map<Integer, PromptConfig.Version> versions = versions(p, base, problems);
            prompts.put(entry.key(), new PromptConfig(entry.key(), entry.origin(promptPath), p.text("description"),
                    labels(p, versions, problems), new TreeMap<>(versions)));
        }
        return prompts;
    }

    /**
     * The number a version is written under, as a label or an arm names it: a whole number from 1 to
     * {@link PromptVersion#MAX_NUMBER}; -1 when it is not one (reported at {@code at}).
     */
    static int versionNumber(String text, Origin at, Diagnostics problems) {
        if (text.matches(VERSION_PATTERN)) {
            return Integer.parseInt(text);
        }
        problems.error(at, (text.matches("0+[1-9][0-9]{0,8}")
                ? "a version number is written without leading zeros" : VERSION_RULE)
                + ", got " + YamlNode.Scalar.quote(text));
        return -1;
    }

    /** Like {@link #versionNumber(String, Origin, Diagnostics)} for a value, which must be a single one. */
    static int versionNumber(YamlNode node, String path, Diagnostics problems) {
        YamlNode.Scalar scalar = MappingReader.itemScalar(node, path, "a version number", problems);
        if (scalar == null) {
            return -1;
        }
        if (scalar.kind() != YamlNode.Kind.INTEGER) {
            problems.error(scalar.origin(path), VERSION_RULE + ", got " + scalar.quoted()
                    + (scalar.kind() == YamlNode.Kind.STRING && scalar.text().matches(VERSION_PATTERN)
                            ? " (remove the quotes)" : ""));
            return -1;
        }
        return versionNumber(scalar.text(), scalar.origin(path), problems);
    }

    private static Map<Integer, PromptConfig.Version> versions(MappingReader p, Path base, Diagnostics problems) {
        if (p.has("versions") && p.has("versions_file")) {
            problems.error(p.keyOrigin("versions_file"), "a prompt takes versions or versions_file, not both");
        } else if (p.has("versions_file")) {
            return versionsFile(p, base, problems);
        } else if (!p.has("versions")) {
            p.requirePresent("versions");
            return Map.of();
        }
        return versions(p.requiredEntries("versions", "a prompt needs at least one version"), p.path("versions"), null,
                problems);
    }

    /** The versions in the file {@code versions_file} names: its top level is a {@code versions} mapping. */
    private static Map<Integer, PromptConfig.Version> versionsFile(MappingReader p, Path base, Diagnostics problems) {
        Path file = p.parsed("versions_file", null, text -> StorageSection.path(text, base), "expected a file path");
        if (file == null) {
            return Map.of();
        }
        String written = p.string("versions_file");
        // A device or named pipe could block the load for good (a FIFO without a writer) or feed it endlessly.
        if (Files.exists(file) && !Files.isDirectory(file) && !Files.isRegularFile(file)) {
            problems.error(p.origin("versions_file"), "versions file '" + written + "' is not a regular file");
            return Map.of();
        }
        String text = ConfigLoader.read(file, reason -> problems.error(p.origin("versions_file"),
                "versions file '" + written + "' " + reason));
        if (text == null) {
            return Map.of();
        }
        String name = shownName(problems.file(), written, file);
        Diagnostics inFile = problems.in(name);
        YamlNode root = YamlTreeReader.read(text, inFile);
        if (root == null) {
            return Map.of();
        }
        if (!(root instanceof YamlNode.Mapping mapping)) {
            inFile.error(root.origin(""), "expected a mapping of versions (1: {...}), got " + root.kindName());
            return Map.of();
        }
        if (mapping.entries().isEmpty()) {
            inFile.error(root.origin(""), "a versions file holds at least one version (1: {...})");
            return Map.of();
        }
        return versions(mapping.entries(), "", name, inFile);
    }

    /** @param file the versions file they are written in, or null for the config file */
    private static Map<Integer, PromptConfig.Version> versions(List<YamlNode.Entry> entries, String path, String file,
            Diagnostics problems) {
        var versions = new LinkedHashMap<Integer, PromptConfig.Version>();
        for (YamlNode.Entry entry : entries) {
            String versionPath = Origin.keyPath(path, entry.key());
            Origin at = entry.origin(versionPath);
            if (file != null && entry.key().equals("versions")) {
                problems.error(at, "a versions file's top level is the versions themselves (1: {...}); remove "
                        + "'versions:' and unindent them");
                continue;
            }
            int number = versionNumber(entry.key(), at, problems);
            MappingReader v = MappingReader.of(entry.value(), versionPath, VERSION_KEYS, problems);
            Template system = template(v, "system", problems);
            List<YamlNode> items = v.items("messages", null);
            List<PromptMessage> messages = messages(items, v.path("messages"), problems);
            if (v.readable() && !v.has("system") && (items == null || items.isEmpty())) {
                problems.error(items == null ? at : v.origin("messages"),
                        "a version needs a system text, messages or both");
            }
            var version = new PromptConfig.Version(number, file, at, system, messages, v.string("model"),
                    v.origin("model"), params(v.child("params", PARAM_KEYS), problems), v.text("note"));
            if (number > 0) {
                versions.put(number, version);
            }
        }
        return versions;
    }

    /** The messages of a version's {@code messages} list at {@code path}; none when it is absent. */
    private static List<PromptMessage> messages(List<YamlNode> items, String path, Diagnostics problems) {
        if (items == null) {
            return List.of();
        }
        var messages = new ArrayList<PromptMessage>();
        for (int i = 0; i < items.size(); i++) {
            MappingReader m = MappingReader.of(items.get(i), Origin.itemPath(path, i), MESSAGE_KEYS, problems);
            Role role = role(m, problems);
            m.requirePresent("content");
            Template content = template(m, "content", problems);
            if (role != null && content != null) {
                messages.add(new PromptMessage(role, content));
            }
        }
        return messages;
    }

    private static Role role(MappingReader m, Diagnostics problems) {
        String name = m.requiredString("role");
        if (name == null) {
            return null;
        }
        Role role = ROLES.get(name);
        if (role == null) {
            problems.error(m.origin("role"), "unknown role '" + name + "'" + Suggestion.didYouMean(name, ROLES.keySet())
                    + "; expected system, user or assistant");
        }
        return role;
    }

    /**
     * The template under {@code key}; null when absent or (reported) empty or not a valid template. Read as free
     * text: a prompt may well start with {@code ${}, which only a secret-bearing field reads as a reference.
     */
    private static Template template(MappingReader r, String key, Diagnostics problems) {
        String text = r.text(key);
        if (text == null) {
            return null;
        }
        if (text.isEmpty()) {
            problems.error(r.origin(key), "a template cannot be empty");
            return null;
        }
        try {
            return Template.parse(text);
        } catch (Template.SyntaxException e) {
            problems.error(r.origin(key), "not a valid template: " + e.getMessage());
            return null;
        }
    }

    /** Generation defaults, in the ranges the OpenAI API documents; unset ones stay null. */
    private static Sampling params(MappingReader s, Diagnostics problems) {
        return new Sampling(
                s.has("temperature") ? s.number("temperature", 0, 0, 2) : null,
                s.has("top_p") ? s.number("top_p", 0, 0, 1) : null,
                s.has("max_tokens") ? s.integer("max_tokens", 1, 1, Integer.MAX_VALUE) : null,
                stop(s, problems),
                s.has("seed") ? s.wholeNumber("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE) : null,
                s.has("presence_penalty") ? s.number("presence_penalty", 0, -2, 2) : null,
                s.has("frequency_penalty") ? s.number("frequency_penalty", 0, -2, 2) : null,
                null);
    }

    /** {@code stop}: one sequence or a list of at most {@link #MAX_STOP}; none when absent. */
    private static List<String> stop(MappingReader s, Diagnostics problems) {
        YamlNode node = s.value("stop");
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof YamlNode.Sequence)) {
            String one = s.text("stop");
            if (one != null && one.isEmpty()) {
                problems.error(s.origin("stop"), "a stop sequence cannot be empty");
            }
            return one == null || one.isEmpty() ? List.of() : List.of(one);
        }
        List<YamlNode> items = s.items("stop", null);
        if (items.size() > MAX_STOP) {
            problems.error(s.origin("stop"), "at most " + MAX_STOP + " stop sequences, found " + items.size());
            return List.of();
        }
        var stop = new ArrayList<String>();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = Origin.itemPath(s.path("stop"), i);
            YamlNode.Scalar scalar = MappingReader.itemScalar(items.get(i), itemPath, "a stop sequence", problems);
            if (scalar != null && scalar.text().isEmpty()) {
                problems.error(scalar.origin(itemPath), "a stop sequence cannot be empty");
            } else if (scalar != null) {
                stop.add(scalar.text());
            }
        }
        return stop;
    }

    /** The labels; each must point at one of {@code versions} unless none could be read (already reported). */
    private static Map<String, PromptConfig.Label> labels(MappingReader p, Map<Integer, PromptConfig.Version> versions,
            Diagnostics problems) {
        var labels = new LinkedHashMap<String, PromptConfig.Label>();
        for (YamlNode.Entry entry : p.entries("labels")) {
            String labelPath = Origin.keyPath(p.path("labels"), entry.key());
            TeamsSection.checkName(entry.origin(labelPath), "label", entry.key(), problems);
            if (entry.key().matches("[0-9]+")) {
                problems.error(entry.origin(labelPath), "label name '" + entry.key() + "' is a number, which a "
                        + "request reads as a version (id@" + entry.key() + "); a label needs a letter");
            }
            int number = versionNumber(entry.value(), labelPath, problems);
            if (number < 0) {
                continue;
            }
            Origin at = entry.value().origin(labelPath);
            if (!versions.isEmpty() && !versions.containsKey(number)) {
                problems.error(at, "there is no version " + number + "; this prompt has " + numbers(versions));
            }
            labels.put(entry.key(), new PromptConfig.Label(number, at));
        }
        return labels;
    }

    /** The version numbers, for a message: {@code 1, 2, 3}. */
    static String numbers(Map<Integer, ?> versions) {
        return new TreeMap<>(versions).keySet().stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /**
     * The versions file's name in problems: beside the config file as that is named ({@code prompts/triage.yaml}
     * next to {@code tollgate.yaml}), so that it is as relative or absolute as the config file's own.
     */
    private static String shownName(String configFile, String written, Path resolved) {
        try {
            return Path.of(configFile).resolveSibling(written).normalize().toString();
        } catch (InvalidPathException e) {
            return resolved.toString();
        }
    }
}
