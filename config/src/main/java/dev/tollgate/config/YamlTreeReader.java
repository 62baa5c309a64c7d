package dev.tollgate.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads YAML text into a located {@link YamlNode} tree, strictly: one document, unique keys, only the standard
 * tags, and hard bounds on size, nesting and alias expansion so a hostile file costs milliseconds, not memory.
 *
 * <p>Jackson's streaming parser hands out aliases as unexpanded names and never composes nodes, so SnakeYAML's
 * composer-level guards (alias count, duplicate keys, tag inspection) do not run on this path; this class applies
 * them itself. Two limits of that parser are accepted: it exposes anchors only on mappings and sequences (an alias
 * to an anchored single value is reported as unknown), and it hides the tag on the first key of a mapping.
 */
final class YamlTreeReader {
    /**
     * The largest document read, in characters; SnakeYAML's scanner stops there. Real configs are kilobytes; the
     * bound stays low because the scanner slows down more than linearly on one huge value (about a second at 3MiB).
     */
    static final int MAX_CODE_POINTS = 2 * 1024 * 1024;
    /** The deepest nesting of mappings and sequences accepted. */
    static final int MAX_DEPTH = 64;
    /** How many aliases a document may use. */
    static final int MAX_ALIASES = 50;
    /** How many nodes a document may have once aliases are expanded: the guard against alias bombs. */
    static final int MAX_NODES = 100_000;

    private static final String CORE_TAG_PREFIX = "tag:yaml.org,2002:";
    private static final Set<String> CORE_TAGS = Set.of(
            CORE_TAG_PREFIX + "str", CORE_TAG_PREFIX + "int", CORE_TAG_PREFIX + "float", CORE_TAG_PREFIX + "bool",
            CORE_TAG_PREFIX + "null", CORE_TAG_PREFIX + "map", CORE_TAG_PREFIX + "seq");

    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .loaderOptions(loaderOptions())
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            // Duplicate keys are reported by this class, with the first one's line, and reading goes on.
            .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // "key:" with nothing after it is null, not the empty string ("" stays a string).
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            // YAML 1.1 reads yes/no/on/off as booleans (the "Norway problem"); only true and false are booleans here.
            .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
            .build();

    private final Diagnostics problems;
    private final Map<String, Anchored> anchors = new HashMap<>();
    private YAMLParser parser;
    private JsonLocation lastLocation = JsonLocation.NA;
    private int aliases;
    private int nodes;

    private record Anchored(YamlNode node, int expandedSize) {}

    /** A limit that ends reading: nothing after it can be trusted or is worth the time. */
    private static final class Abort extends Exception {
        private final Origin at;

        Abort(Origin at, String message) {
            super(message, null, false, false);
            this.at = at;
        }
    }

    private YamlTreeReader(Diagnostics problems) {
        this.problems = problems;
    }

    /**
     * The document's root, or null when the text is not readable YAML (the reason is in {@code problems}). An empty
     * document is an empty mapping at 1:1. Problems that leave the structure intact (a duplicate key, a tag) are
     * recorded and reading goes on, so they are reported together with binding problems.
     */
    static YamlNode read(String text, Diagnostics problems) {
        return new YamlTreeReader(problems).readDocument(text);
    }

    private static LoaderOptions loaderOptions() {
        var options = new LoaderOptions();
        // Enforced by the scanner while reading, so it holds on this streaming path too.
        options.setCodePointLimit(MAX_CODE_POINTS);
        // The composer's guards, set to the same values this class enforces, should anything ever compose nodes.
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setTagInspector(tag -> false);
        return options;
    }

    private YamlNode readDocument(String text) {
        try (YAMLParser yaml = FACTORY.createParser(new StringReader(text))) {
            parser = yaml;
            JsonToken first = next();
            if (first == null) {
                return new YamlNode.Mapping(1, 1, List.of());
            }
            YamlNode root = value(first, "");
            JsonToken extra = next();
            if (extra != null) {
                problems.error(here(""), "a config file holds one YAML document; remove the second one (after '---')");
            }
            return root;
        } catch (Abort abort) {
            problems.error(abort.at, abort.getMessage());
        } catch (JsonProcessingException e) {
            problems.error(positionOf(e), "invalid YAML: " + messageOf(e));
        } catch (IOException | YAMLException e) {
            // SnakeYAML reports a few malformed inputs with unchecked exceptions that Jackson does not wrap.
            problems.error(here(""), "invalid YAML: " + oneLine(e.getMessage()));
        }
        return null;
    }

    private JsonToken next() throws IOException {
        JsonToken token = parser.nextToken();
        if (token != null) {
            lastLocation = parser.currentTokenLocation();
        }
        return token;
    }

    private YamlNode value(JsonToken token, String path) throws IOException, Abort {
        checkTag(path);
        if (++nodes > MAX_NODES) {
            throw new Abort(here(path), "the document has more than " + MAX_NODES + " values");
        }
        int line = lastLocation.getLineNr();
        int column = lastLocation.getColumnNr();
        return switch (token) {
            case START_OBJECT -> anchored(parser.getObjectId(), () -> mapping(line, column, path));
            case START_ARRAY -> anchored(parser.getObjectId(), () -> sequence(line, column, path));
            case VALUE_STRING -> parser.isCurrentAlias()
                    ? alias(parser.getText(), path)
                    : new YamlNode.Scalar(line, column, YamlNode.Kind.STRING, parser.getText());
            case VALUE_NUMBER_INT -> new YamlNode.Scalar(line, column, YamlNode.Kind.INTEGER, parser.getText());
            case VALUE_NUMBER_FLOAT -> new YamlNode.Scalar(line, column, YamlNode.Kind.FLOAT, parser.getText());
            case VALUE_TRUE, VALUE_FALSE -> new YamlNode.Scalar(line, column, YamlNode.Kind.BOOLEAN, parser.getText());
            case VALUE_NULL -> new YamlNode.Scalar(line, column, YamlNode.Kind.NULL, "");
            // Only a !!binary value gets here, and checkTag has already reported its tag.
            default -> new YamlNode.Scalar(line, column, YamlNode.Kind.STRING, "");
        };
    }

    @FunctionalInterface
    private interface NodeBody {
        YamlNode read() throws IOException, Abort;
    }

    private YamlNode anchored(Object anchor, NodeBody body) throws IOException, Abort {
        int before = nodes;
        YamlNode node = body.read();
        if (anchor != null) {
            // Registered only once complete, so an alias inside its own anchor is unknown: no cycles.
            anchors.put(anchor.toString(), new Anchored(node, nodes - before + 1));
        }
        return node;
    }

    private YamlNode alias(String name, String path) throws Abort {
        Origin at = here(path);
        if (++aliases > MAX_ALIASES) {
            throw new Abort(at, "the document uses more than " + MAX_ALIASES + " aliases");
        }
        Anchored target = anchors.get(name);
        if (target == null) {
            problems.error(at, "alias '*" + name + "' does not name an anchored mapping or list defined before it");
            return new YamlNode.Scalar(at.line(), at.column(), YamlNode.Kind.NULL, "");
        }
        nodes += target.expandedSize() - 1;
        if (nodes > MAX_NODES) {
            throw new Abort(at, "aliases expand the document to more than " + MAX_NODES + " values");
        }
        return target.node();
    }

    private YamlNode.Mapping mapping(int line, int column, String path) throws IOException, Abort {
        var entries = new ArrayList<YamlNode.Entry>();
        var seen = new HashMap<String, YamlNode.Entry>();
        boolean first = true;
        for (JsonToken token = next(); token != JsonToken.END_OBJECT; token = next()) {
            String key = parser.currentName();
            String keyPath = Origin.keyPath(path, key);
            Origin keyAt = here(keyPath);
            if (!first) {
                // On the first key Jackson reports the mapping's own tag, already checked.
                checkTag(keyPath);
            }
            first = false;
            YamlNode value = value(next(), keyPath);
            YamlNode.Entry earlier = seen.get(key);
            if (earlier != null) {
                problems.error(keyAt, "duplicate key '" + key + "' (first defined at line " + earlier.line() + ")");
                continue;
            }
            var entry = new YamlNode.Entry(key, keyAt.line(), keyAt.column(), value);
            seen.put(key, entry);
            entries.add(entry);
        }
        return new YamlNode.Mapping(line, column, entries);
    }

    private YamlNode.Sequence sequence(int line, int column, String path) throws IOException, Abort {
        var items = new ArrayList<YamlNode>();
        for (JsonToken token = next(); token != JsonToken.END_ARRAY; token = next()) {
            items.add(value(token, Origin.itemPath(path, items.size())));
        }
        return new YamlNode.Sequence(line, column, items);
    }

    private void checkTag(String path) throws IOException {
        String tag = parser.getTypeId();
        if (tag != null && !CORE_TAGS.contains(tag)) {
            // Jackson strips the leading '!' characters; show the tag the way it was written.
            String shown = tag.startsWith(CORE_TAG_PREFIX) ? "!!" + tag.substring(CORE_TAG_PREFIX.length()) : "!" + tag;
            problems.error(here(path), "tag '" + shown + "' is not allowed: the config takes plain YAML values only");
        }
    }

    private Origin here(String path) {
        return new Origin(path, Math.max(lastLocation.getLineNr(), 1), Math.max(lastLocation.getColumnNr(), 1));
    }

    private Origin positionOf(JsonProcessingException e) {
        MarkedYAMLException marked = markedCause(e);
        if (marked != null) {
            Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
            if (mark != null) {
                return new Origin("", mark.getLine() + 1, mark.getColumn() + 1);
            }
        }
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            return new Origin("", location.getLineNr(), Math.max(location.getColumnNr(), 1));
        }
        return here("");
    }

    // Only SnakeYAML's problem and context are used: its full message quotes the offending source line, which
    // could hold a literal secret.
    private static String messageOf(JsonProcessingException e) {
        MarkedYAMLException marked = markedCause(e);
        if (marked != null) {
            String problem = oneLine(marked.getProblem());
            return marked.getContext() == null ? problem : problem + " (" + oneLine(marked.getContext()) + ")";
        }
        String message = oneLine(e.getOriginalMessage());
        if (e instanceof StreamConstraintsException && message.startsWith("Document nesting depth")) {
            return "the document nests deeper than " + MAX_DEPTH + " levels";
        }
        if (message.startsWith("Expected a field name")) {
            return "mapping keys must be single values, not lists, mappings or aliases";
        }
        return message;
    }

    private static MarkedYAMLException markedCause(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked) {
                return marked;
            }
        }
        return null;
    }

    private static String oneLine(String message) {
        return message == null ? "unreadable input" : message.strip().replaceAll("\\s*\\n\\s*", " ");
    }
}
