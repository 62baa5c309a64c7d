package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.prompt.Prompt;
import dev.tollgate.core.prompt.PromptMessage;
import dev.tollgate.core.prompt.PromptVersion;
import dev.tollgate.core.prompt.Template;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One entry of {@code prompts} as written, its versions read from the file itself or from its
 * {@code versions_file}. Whether the versions' models exist is a cross-section check ({@link PromptsValidator}).
 *
 * @param description null when none was written
 * @param labels label name to the version it points at, in file order
 * @param versions by number; empty only when the file has a problem that left none readable (already reported)
 */
record PromptConfig(String id, Origin origin, String description, Map<String, Label> labels,
        NavigableMap<Integer, Version> versions) {
    PromptConfig {
        requireNonNull(id, "id");
        requireNonNull(origin, "origin");
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        versions = Collections.unmodifiableNavigableMap(new TreeMap<>(versions));
    }

    /** @param origin where the version number is written */
    record Label(int version, Origin origin) {
        Label {
            requireNonNull(origin, "origin");
        }
    }

    /**
     * One version as written.
     *
     * @param file the file it is written in when that is a {@code versions_file}, as problems name it; null for the
     *     config file itself
     * @param system null when none is written, or (reported) when it does not parse
     * @param model the default model group; null when none is written
     * @param note null when none is written
     */
    record Version(int number, String file, Origin origin, Template system, List<PromptMessage> messages,
            String model, Origin modelOrigin, Sampling params, String note) {
        Version {
            requireNonNull(origin, "origin");
            messages = List.copyOf(messages);
            requireNonNull(modelOrigin, "modelOrigin");
            requireNonNull(params, "params");
        }

        /** Where problems about this version are recorded: its own file's name in {@code problems}. */
        Diagnostics problems(Diagnostics problems) {
            return file == null ? problems : problems.in(file);
        }

        PromptVersion compile() {
            return new PromptVersion(number, system, messages, model, params, note);
        }
    }

    Prompt compile() {
        var compiled = new TreeMap<Integer, PromptVersion>();
        versions.forEach((number, version) -> compiled.put(number, version.compile()));
        var pointers = new LinkedHashMap<String, Integer>();
        labels.forEach((name, label) -> pointers.put(name, label.version()));
        return new Prompt(id, description, compiled, pointers);
    }
}
