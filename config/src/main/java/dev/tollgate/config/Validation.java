package dev.tollgate.config;

import java.util.List;

/**
 * What {@link ConfigLoader#validate} found: errors make a file unusable; warnings (a secret written inline, a
 * provider no model uses) are worth reading but do not stop it.
 */
public record Validation(List<ConfigProblem> errors, List<ConfigProblem> warnings) {
    public Validation {
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }
}
