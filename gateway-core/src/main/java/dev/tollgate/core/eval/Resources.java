package dev.tollgate.core.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The texts shipped next to these classes: rubrics and the bias probe set. */
final class Resources {
    private Resources() {}

    /**
     * The UTF-8 text of class-path resource {@code name}, relative to this package.
     *
     * @throws IllegalStateException when it is missing: the build shipped without it
     */
    static String text(String name) {
        try (InputStream in = Resources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("evaluation resource missing: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read evaluation resource " + name, e);
        }
    }
}
