package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with (or, as a warning, worth saying about) a config file, located precisely enough for an editor
 * to jump to it. Messages never contain a secret value: at most the reference ({@code ${env:NAME}}) it came from.
 *
 * @param file the file name as given to the loader
 * @param line 1-based line, or 0 when the problem concerns the whole file (it cannot be read, say)
 * @param column 1-based column, or 0 with {@code line} 0
 * @param path where in the document, such as {@code models.gpt-4o-mini.deployments[0].provider}; empty for the
 *     document itself
 * @param message what is wrong and, where one exists, how to fix it
 */
public record ConfigProblem(String file, int line, int column, String path, String message) {
    public ConfigProblem {
        requireNonNull(file, "file");
        requireNonNull(path, "path");
        requireNonNull(message, "message");
    }

    /** {@code file:line:column: path: message}, dropping the position or path when there is none. */
    @Override
    public String toString() {
        var text = new StringBuilder(file);
        if (line > 0) {
            text.append(':').append(line).append(':').append(column);
        }
        text.append(": ");
        if (!path.isEmpty()) {
            text.append(path).append(": ");
        }
        return text.append(message).toString();
    }
}
