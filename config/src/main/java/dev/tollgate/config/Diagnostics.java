package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The errors and warnings found in one load, collected rather than thrown so that a user sees every problem in
 * one pass. A load reads one config file and, through it, may read others (a prompt's {@code versions_file}):
 * {@link #in} records their problems under their own name. Not thread-safe: one instance per load.
 */
final class Diagnostics {
    private final String file;
    private final String mainFile;
    // Sets: a file several prompts share as their versions_file is read, and reported on, once per prompt.
    private final Set<ConfigProblem> errors;
    private final Set<ConfigProblem> warnings;

    Diagnostics(String file) {
        this(file, file, new LinkedHashSet<>(), new LinkedHashSet<>());
    }

    private Diagnostics(String file, String mainFile, Set<ConfigProblem> errors, Set<ConfigProblem> warnings) {
        this.file = requireNonNull(file, "file");
        this.mainFile = mainFile;
        this.errors = errors;
        this.warnings = warnings;
    }

    /** The same collection, recording problems as {@code otherFile}'s: for a file the config refers to. */
    Diagnostics in(String otherFile) {
        return new Diagnostics(otherFile, mainFile, errors, warnings);
    }

    /** The name problems are recorded under. */
    String file() {
        return file;
    }

    /** Records a problem that makes the config unusable. The message must not contain a secret value. */
    void error(Origin at, String message) {
        errors.add(problem(at, message));
    }

    /** Records something allowed but probably unintended. The message must not contain a secret value. */
    void warn(Origin at, String message) {
        warnings.add(problem(at, message));
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /**
     * Errors in file order: the config file's first, then those of each file it refers to. A problem found twice at
     * the same place is listed once.
     */
    List<ConfigProblem> errors() {
        return errors.stream().sorted(fileOrder()).toList();
    }

    /** Warnings in file order, as {@link #errors()}. */
    List<ConfigProblem> warnings() {
        return warnings.stream().sorted(fileOrder()).toList();
    }

    // Stable sort: problems at the same position keep the order they were found in.
    private Comparator<ConfigProblem> fileOrder() {
        return Comparator.comparing((ConfigProblem p) -> !p.file().equals(mainFile))
                .thenComparing(ConfigProblem::file)
                .thenComparingInt(ConfigProblem::line)
                .thenComparingInt(ConfigProblem::column);
    }

    private ConfigProblem problem(Origin at, String message) {
        return new ConfigProblem(file, at.line(), at.column(), at.path(), message);
    }
}
