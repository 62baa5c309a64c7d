package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

/**
 * Where a value came from: its path in the document and its position in the file. Config records keep the origin
 * of every value a later check may need to point at (a deployment's provider name, say).
 *
 * @param path dotted keys and bracketed indexes ({@code models.gpt-4o.deployments[1].weight}); empty for the root
 * @param line 1-based, or 0 when there is no position
 * @param column 1-based, or 0 when there is no position
 */
record Origin(String path, int line, int column) {
    /** The origin of a problem about the whole file. */
    static final Origin FILE = new Origin("", 0, 0);

    Origin {
        requireNonNull(path, "path");
    }

    /** The path of key {@code key} inside the mapping at {@code parent}. */
    static String keyPath(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    /** The path of item {@code index} of the sequence at {@code parent}. */
    static String itemPath(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** The same position under another path (a missing key is reported at the mapping that lacks it). */
    Origin withPath(String otherPath) {
        return new Origin(otherPath, line, column);
    }
}
