package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A prompt in the registry: its versions and the labels that point at them.
 *
 * @param id what requests name it by
 * @param description for people; null when none was written
 * @param versions by number
 * @param labels label name to version number; every number is one of {@code versions}
 */
public record Prompt(String id, String description, NavigableMap<Integer, PromptVersion> versions,
                     Map<String, Integer> labels) {
    /** The label a request gets when it names neither a label nor a version. */
    public static final String DEFAULT_LABEL = "production";

    public Prompt {
        requireNonNull(id, "id");
        versions = Collections.unmodifiableNavigableMap(new TreeMap<>(versions));
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("prompt " + id + " has no version");
        }
        for (var label : labels.entrySet()) {
            if (!versions.containsKey(label.getValue())) {
                throw new IllegalArgumentException("label " + label.getKey() + " of prompt " + id
                        + " points at version " + label.getValue() + ", which it does not have");
            }
        }
    }

    public PromptVersion version(int number) {
        return versions.get(number);
    }

    /** The newest version. */
    public PromptVersion latest() {
        return versions.lastEntry().getValue();
    }
}
