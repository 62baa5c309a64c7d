package dev.tollgate.config;

import dev.tollgate.core.guard.DenyCheck;
import dev.tollgate.core.guard.GuardAction;
import dev.tollgate.core.guard.GuardCheck;
import dev.tollgate.core.guard.Guardrail;
import dev.tollgate.core.guard.GuardrailPolicy;
import dev.tollgate.core.guard.InjectionCheck;
import dev.tollgate.core.guard.PiiCheck;
import dev.tollgate.core.guard.SafeRegex;
import dev.tollgate.core.guard.TopicCheck;
import dev.tollgate.core.pii.PiiType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Binds the top-level {@code guardrails} section (named checks: kind, action, where they apply, and the kind's
 * options) and the {@code guardrails: [name, ...]} lists that attach them to model groups, keys and teams, into a
 * {@link GuardrailPolicy}. Everything is compiled here, once: PII detectors, the deny lists' patterns (a regex that
 * can backtrack without bound is refused, see {@link SafeRegex}) and the topics' keyword sets.
 */
final class GuardrailsSection {
    static final Set<String> KEYS = Set.of("kind", "action", "applies_to", "types", "threshold", "terms", "regexes",
            "topics");
    /** The list key a model group, a key or a team attaches guardrails with. */
    static final String ATTACH = "guardrails";
    static final List<String> KINDS = List.of("pii", "injection", "deny", "topics");
    static final List<String> ACTIONS = List.of("redact", "block", "flag");
    static final List<String> STAGES = List.of("input", "output", "both");
    /** The {@code types} value that stands for every credential type. */
    static final String SECRETS = "secrets";
    static final int MAX_TERMS = 10_000;
    static final int MAX_REGEXES = 256;
    static final int MAX_REGEX_CHARS = 1_000;

    /** The options each kind takes, beyond kind, action and applies_to. */
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "pii", Set.of("types"),
            "injection", Set.of("threshold"),
            "deny", Set.of("terms", "regexes"),
            "topics", Set.of("topics"));

    private GuardrailsSection() {}

    /** The PII type names {@code types} accepts: each type's label, and {@value #SECRETS}. */
    static List<String> typeNames() {
        List<String> names = new ArrayList<>();
        for (PiiType t : PiiType.values()) {
            names.add(t.label());
        }
        names.add(SECRETS);
        return names;
    }

    /**
     * The section and the attachments.
     *
     * @param entries the {@code guardrails} entries
     * @param models the {@code models} entries, keys the {@code keys} items, teams the {@code teams} entries: their
     *     own binders accept {@value #ATTACH} and leave it to this one
     */
    static GuardrailPolicy bind(MappingReader file, List<YamlNode.Entry> entries, List<YamlNode.Entry> models,
                                List<YamlNode> keys, List<YamlNode.Entry> teams, Diagnostics problems) {
        Map<String, Guardrail> guardrails = new LinkedHashMap<>();
        for (YamlNode.Entry entry : entries) {
            String path = Origin.keyPath(file.path("guardrails"), entry.key());
            TeamsSection.checkName(entry.origin(path), "guardrail", entry.key(), problems);
            Guardrail g = guardrail(entry.key(), MappingReader.of(entry.value(), path, KEYS, problems), problems);
            if (g != null) {
                guardrails.put(entry.key(), g);
            }
        }
        // Names of guardrails with problems still count as defined: their attachments are not reported again.
        Set<String> defined = new TreeSet<>();
        entries.forEach(e -> defined.add(e.key()));
        Map<String, List<String>> byModel = new LinkedHashMap<>();
        for (YamlNode.Entry m : models) {
            attach(byModel, m.key(), m.value(), Origin.keyPath(file.path("models"), m.key()), defined, problems);
        }
        Map<String, List<String>> byTeam = new LinkedHashMap<>();
        for (YamlNode.Entry t : teams) {
            attach(byTeam, t.key(), t.value(), Origin.keyPath(file.path("teams"), t.key()), defined, problems);
        }
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String name = keyName(keys.get(i));
            if (name != null) {
                attach(byKey, name, keys.get(i), Origin.itemPath(file.path("keys"), i), defined, problems);
            }
        }
        if (!guardrails.keySet().equals(defined)) {
            return GuardrailPolicy.NONE; // a config with problems is never compiled; this keeps the record sound
        }
        return new GuardrailPolicy(guardrails, byModel, byKey, byTeam);
    }

    private static Guardrail guardrail(String name, MappingReader r, Diagnostics problems) {
        String kind = r.choice("kind", KINDS);
        String action = r.choice("action", ACTIONS);
        String stage = r.has("applies_to") ? r.choice("applies_to", STAGES) : "input";
        if (kind == null) {
            return null;
        }
        for (String option : KEYS) {
            if (!option.equals("kind") && !option.equals("action") && !option.equals("applies_to")
                    && !OPTIONS.get(kind).contains(option)) {
                r.forbid(option, "for kind " + kind + " (it takes " + String.join(", ",
                        new TreeSet<>(OPTIONS.get(kind))) + ")");
            }
        }
        GuardCheck check = switch (kind) {
            case "pii" -> PiiCheck.of(types(r, problems));
            case "injection" -> new InjectionCheck(r.number("threshold", InjectionCheck.DEFAULT_THRESHOLD, 0.01, 1));
            case "deny" -> deny(r, problems);
            case "topics" -> topics(r, problems);
            default -> throw new IllegalStateException(kind);
        };
        if (action == null || stage == null || check == null) {
            return null;
        }
        GuardAction act = GuardAction.valueOf(action.toUpperCase(Locale.ROOT));
        if (act == GuardAction.REDACT && !check.locates()) {
            problems.error(r.origin("action"), "kind " + kind + " cannot redact (it judges a text as a whole): "
                    + "use block or flag");
            return null;
        }
        boolean input = !stage.equals("output");
        boolean output = !stage.equals("input");
        if (output && check instanceof TopicCheck) {
            problems.error(r.origin("applies_to"), "a topics guardrail reads the request's last user message: "
                    + "input only");
            return null;
        }
        return new Guardrail(name, check, act, input, output);
    }

    /** The PII types; every type when {@code types} is absent. */
    private static Set<PiiType> types(MappingReader r, Diagnostics problems) {
        if (!r.has("types")) {
            return EnumSet.allOf(PiiType.class);
        }
        EnumSet<PiiType> types = EnumSet.noneOf(PiiType.class);
        List<String> names = typeNames();
        for (var e : r.names("types", "PII type", "list at least one PII type, or remove types for all").entrySet()) {
            String type = e.getKey();
            if (type.equals(SECRETS)) {
                for (PiiType t : PiiType.values()) {
                    if (t.secret()) {
                        types.add(t);
                    }
                }
            } else if (names.contains(type)) {
                types.add(PiiType.valueOf(type.toUpperCase(Locale.ROOT)));
            } else {
                problems.error(e.getValue(), "unknown PII type '" + type + "'" + Suggestion.didYouMean(type, names)
                        + "; valid types: " + String.join(", ", names));
            }
        }
        return types;
    }

    private static DenyCheck deny(MappingReader r, Diagnostics problems) {
        Map<String, Origin> terms = r.names("terms", "term", "list at least one term, or remove terms");
        Map<String, Origin> regexes = r.names("regexes", "regex", "list at least one regex, or remove regexes");
        if (terms.isEmpty() && regexes.isEmpty()) {
            if (r.readable() && !r.has("terms") && !r.has("regexes")) {
                problems.error(r.origin(), "a deny guardrail needs terms, regexes or both");
            }
            return null;
        }
        boolean ok = true;
        if (terms.size() > MAX_TERMS) {
            problems.error(r.origin("terms"), "at most " + MAX_TERMS + " terms, found " + terms.size());
            ok = false;
        }
        if (regexes.size() > MAX_REGEXES) {
            problems.error(r.origin("regexes"), "at most " + MAX_REGEXES + " regexes, found " + regexes.size());
            ok = false;
        }
        for (var e : regexes.entrySet()) {
            String problem = e.getKey().length() > MAX_REGEX_CHARS
                    ? "is longer than " + MAX_REGEX_CHARS + " characters" : SafeRegex.problem(e.getKey());
            if (problem != null) {
                problems.error(e.getValue(), "regex " + problem);
                ok = false;
            }
        }
        return ok ? DenyCheck.of(List.copyOf(terms.keySet()), List.copyOf(regexes.keySet())) : null;
    }

    private static TopicCheck topics(MappingReader r, Diagnostics problems) {
        r.requirePresent("topics");
        Map<String, List<String>> topics = new LinkedHashMap<>();
        boolean ok = true;
        for (YamlNode.Entry topic : r.entries("topics")) {
            String path = Origin.keyPath(r.path("topics"), topic.key());
            if (!(topic.value() instanceof YamlNode.Sequence list) || list.items().isEmpty()) {
                problems.error(topic.value().origin(path), "expected a non-empty list of keywords");
                ok = false;
                continue;
            }
            List<String> keywords = List.copyOf(MappingReader.names(list.items(), path, "keyword", problems).keySet());
            if (keywords.isEmpty()) {
                ok = false; // each item was reported
            } else {
                topics.put(topic.key(), keywords);
            }
        }
        if (r.has("topics") && topics.isEmpty() && ok) {
            problems.error(r.origin("topics"), "list at least one topic with its keywords");
            return null;
        }
        return ok && !topics.isEmpty() ? TopicCheck.of(topics) : null;
    }

    /** Reads an owner's {@value #ATTACH} list, reporting names no guardrail has. */
    private static void attach(Map<String, List<String>> into, String owner, YamlNode node, String path,
                               Set<String> defined, Diagnostics problems) {
        if (!(node instanceof YamlNode.Mapping mapping)) {
            return; // the owner's own binder reports it
        }
        for (YamlNode.Entry e : mapping.entries()) {
            if (!e.key().equals(ATTACH)) {
                continue;
            }
            String listPath = Origin.keyPath(path, ATTACH);
            if (!(e.value() instanceof YamlNode.Sequence list)) {
                problems.error(e.value().origin(listPath), "expected a list of guardrail names, got "
                        + e.value().kindName());
                return;
            }
            List<String> names = new ArrayList<>();
            for (var name : MappingReader.names(list.items(), listPath, "guardrail", problems).entrySet()) {
                if (defined.contains(name.getKey())) {
                    names.add(name.getKey());
                } else {
                    problems.error(name.getValue(), unknown(name.getKey(), defined));
                }
            }
            into.put(owner, names);
        }
    }

    /** The problem of a reference to {@code name}, which none of the {@code defined} guardrails has. */
    static String unknown(String name, Set<String> defined) {
        return "unknown guardrail '" + name + "'" + (defined.isEmpty()
                ? ": the top-level guardrails section defines none"
                : Suggestion.didYouMean(name, defined));
    }

    /** A key item's name, or null when it has none (its own binder reports that). */
    private static String keyName(YamlNode item) {
        if (item instanceof YamlNode.Mapping mapping) {
            for (YamlNode.Entry e : mapping.entries()) {
                if (e.key().equals("name") && e.value() instanceof YamlNode.Scalar s
                        && s.kind() != YamlNode.Kind.NULL) {
                    return s.text();
                }
            }
        }
        return null;
    }
}
