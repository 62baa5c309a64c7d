package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.RuntimeSnapshot;
import java.util.List;

/**
 * What loading a config produced: a snapshot ready to serve, or every problem that prevents one. An invalid result
 * means nothing was started; a reload that gets one keeps the old snapshot serving.
 */
public sealed interface LoadResult {

    /**
     * A valid config, compiled.
     *
     * @param warnings things that are allowed but probably unintended (an inline api_key, an unused provider), in
     *     file order
     * @param text the YAML the snapshot was compiled from, exactly as read: config versions keep and hash this,
     *     never a second read of the file that may already hold something else
     */
    record Loaded(RuntimeSnapshot snapshot, List<ConfigProblem> warnings, String text) implements LoadResult {
        public Loaded {
            requireNonNull(snapshot, "snapshot");
            warnings = List.copyOf(warnings);
            requireNonNull(text, "text");
        }

        /** Without the text, which may hold a secret written inline (the loader warns of it, never shows it). */
        @Override
        public String toString() {
            return "Loaded[snapshot=" + snapshot + ", warnings=" + warnings + ", text=(" + text.length() + " chars)]";
        }
    }

    /**
     * A config that cannot be used.
     *
     * @param problems every problem found, in file order; never empty
     */
    record Invalid(List<ConfigProblem> problems) implements LoadResult {
        public Invalid {
            problems = List.copyOf(problems);
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("an invalid config has at least one problem");
            }
        }
    }
}
