package dev.tollgate.server.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A parsed YAML value and the path it sits at, so that a failed expectation names the place in the file
 * ({@code compose.yaml: services.tollgate-a.ports[0]}).
 *
 * <p>SnakeYAML rather than the Jackson YAML parser the config module uses: Compose files rely on anchors and merge
 * keys ({@code <<: *gateway}), which SnakeYAML resolves as Compose does and Jackson's streaming parser does not.
 * Duplicate keys are refused, as Compose and Kubernetes refuse them.
 */
record YamlTree(Object value, String path) {

    static YamlTree load(Path file) {
        return parse(read(file), Repo.ROOT.relativize(file.toAbsolutePath()).toString());
    }

    static YamlTree parse(String text, String name) {
        return new YamlTree(yaml().load(text), name + ":");
    }

    /** Every document of a multi-document file (Kubernetes manifests), empty ones left out. */
    static List<YamlTree> loadAll(Path file) {
        String name = Repo.ROOT.relativize(file.toAbsolutePath()) + "#";
        var documents = new ArrayList<YamlTree>();
        for (Object document : yaml().loadAll(read(file))) {
            if (document != null) {
                documents.add(new YamlTree(document, name + documents.size() + ":"));
            }
        }
        return documents;
    }

    boolean has(String key) {
        return value instanceof Map<?, ?> map && map.containsKey(key);
    }

    /** The value under {@code key}; fails, naming the path, when there is none. */
    YamlTree get(String key) {
        return find(key).orElseThrow(() -> new AssertionError(path + " has no key '" + key + "'"));
    }

    Optional<YamlTree> find(String key) {
        return has(key) ? Optional.of(new YamlTree(asMap().get(key), child(key))) : Optional.empty();
    }

    /** The entries of a mapping, in file order. */
    Map<String, YamlTree> entries() {
        var entries = new LinkedHashMap<String, YamlTree>();
        asMap().forEach((k, v) -> entries.put(String.valueOf(k), new YamlTree(v, child(String.valueOf(k)))));
        return entries;
    }

    /** The items of a sequence; none for an absent (null) value. */
    List<YamlTree> items() {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new AssertionError(path + " is not a list: " + value);
        }
        var items = new ArrayList<YamlTree>();
        for (int i = 0; i < list.size(); i++) {
            items.add(new YamlTree(list.get(i), path + "[" + i + "]"));
        }
        return items;
    }

    /** A scalar as text: numbers and booleans as written. */
    String text() {
        if (value == null || value instanceof Map<?, ?> || value instanceof List<?>) {
            throw new AssertionError(path + " is not a single value: " + value);
        }
        return value.toString();
    }

    int integer() {
        if (!(value instanceof Integer number)) {
            throw new AssertionError(path + " is not a whole number: " + value);
        }
        return number;
    }

    private Map<?, ?> asMap() {
        if (!(value instanceof Map<?, ?> map)) {
            throw new AssertionError(path + " is not a mapping: " + value);
        }
        return map;
    }

    private String child(String key) {
        return path.endsWith(":") ? path + " " + key : path + "." + key;
    }

    private static Yaml yaml() {
        var options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new SafeConstructor(options));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
