package dev.tollgate.server.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository the deployment files live in, found from the test's working directory (a module directory). */
final class Repo {
    static final Path ROOT = findRoot();
    static final Path DOCKER = ROOT.resolve("docker");

    private Repo() {}

    private static Path findRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docker"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (a directory with mvnw and docker/) above "
                + Path.of("").toAbsolutePath());
    }
}
