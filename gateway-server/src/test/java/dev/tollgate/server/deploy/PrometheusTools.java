package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.opentest4j.TestAbortedException;

/**
 * The {@code prometheus} and {@code promtool} binaries (Debian's {@code prometheus} package), found on the PATH.
 * Where they are missing, tests that need them are skipped, unless {@value #REQUIRE_ENV}=1 says they must be there
 * (CI installs them, .ci/install-prometheus): then they fail, so a broken install cannot pass as a skip.
 */
record PrometheusTools(Path prometheus, Path promtool) {
    static final String REQUIRE_ENV = "TOLLGATE_REQUIRE_PROMETHEUS";
    private static final long PROMTOOL_TIMEOUT_SECONDS = 60;

    /** The binaries, or the calling test skipped (or failed, under {@value #REQUIRE_ENV}=1) without them. */
    static PrometheusTools findOrSkip() {
        Optional<Path> prometheus = onPath("prometheus");
        Optional<Path> promtool = onPath("promtool");
        if (prometheus.isPresent() && promtool.isPresent()) {
            return new PrometheusTools(prometheus.get(), promtool.get());
        }
        String missing = prometheus.isEmpty() ? "prometheus" : "promtool";
        String required = System.getenv(REQUIRE_ENV);
        if ("1".equals(required)) {
            throw new AssertionError(missing + " is not on the PATH although " + REQUIRE_ENV
                    + "=1 requires it: install Debian's prometheus package (.ci/install-prometheus)");
        }
        throw new TestAbortedException(missing + " is not on the PATH: install Debian's prometheus package"
                + " (.ci/install-prometheus) to run this test, or set " + REQUIRE_ENV + "=1 to fail without it");
    }

    /** Runs promtool; fails, with its output, when it exits with an error or takes more than a minute. */
    String promtool(Path workDir, String... args) {
        var command = new ArrayList<String>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        try {
            Path output = Files.createTempFile(workDir, "promtool", ".log");
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            boolean finished = process.waitFor(PROMTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(finished).as("%s ran over %d s: %s", command, PROMTOOL_TIMEOUT_SECONDS, text).isTrue();
            assertThat(process.exitValue()).as("%s: %s", command, text).isZero();
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
