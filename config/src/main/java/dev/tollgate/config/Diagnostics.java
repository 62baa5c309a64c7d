package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The errors and warnings found in one file, collected rather than thrown so that a user sees every problem in
 * one pass. Not thread-safe: one instance per load.
 */
final class Diagnostics {
    // Stable sort: problems at the same position keep the order they were found in.
    private static final Comparator<ConfigProblem> FILE_ORDER =
            Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column);

    private final String file;
    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();

    Diagnostics(String file) {
        this.file = requireNonNull(file, "file");
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

    /** Errors in file order. */
    List<ConfigProblem> errors() {
        return errors.stream().sorted(FILE_ORDER).toList();
    }

    /** Warnings in file order. */
    List<ConfigProblem> warnings() {
        return warnings.stream().sorted(FILE_ORDER).toList();
    }

    private ConfigProblem problem(Origin at, String message) {
        return new ConfigProblem(file, at.line(), at.column(), at.path(), message);
    }
}
