package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.deploy.Dockerfile.Copy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/entrypoint.sh, run by /bin/sh in the image's layout (rebuilt from the Dockerfile's COPY lines in a
 * temporary directory) with a fake {@code java} on the PATH that prints the command line it was given.
 */
class EntrypointScriptTest {
    private static final String IMAGE_HOME = "/app";
    /** The defaults that stay when the user picks another collector. */
    private static final List<String> OPTION_FLAGS = List.of("-XX:MaxRAMPercentage=50",
            "-XX:MaxDirectMemorySize=256m", "-XX:+ExitOnOutOfMemoryError", "-XX:+PerfDisableSharedMem");
    private static final List<String> DEFAULT_FLAGS =
            concat(List.of("-XX:+UseParallelGC", "-XX:MaxNewSize=96m"), OPTION_FLAGS);

    @TempDir
    Path tmp;
    private Path home;
    private Path script;
    private Path bin;

    /** What the fake java saw: its process id and its arguments; the script's exit code and standard error. */
    private record Run(int exit, long shellPid, long javaPid, List<String> argv, String stderr) {}

    @BeforeEach
    void imageLayout() throws IOException {
        home = tmp.resolve("app");
        Dockerfile dockerfile = Dockerfile.load();
        for (Copy copy : dockerfile.copies()) {
            if (copy.stage() != dockerfile.finalStage() || !copy.destination().startsWith(IMAGE_HOME + "/")) {
                continue;
            }
            Path target = home.resolve(copy.destination().substring(IMAGE_HOME.length() + 1));
            if (copy.destination().endsWith("/")) {
                Files.createDirectories(target);
            } else if (copy.fromContext()) {
                Files.createDirectories(target.getParent());
                Files.copy(Repo.ROOT.resolve(copy.sources().getFirst()), target);
            } else {
                // Built in an earlier stage (the jar): its bytes do not matter to the script, its place does.
                Files.createDirectories(target.getParent());
                Files.writeString(target, "built by the Dockerfile's build stage");
            }
        }
        script = home.resolve(dockerfile.image("ENTRYPOINT").execForm().getFirst().substring(IMAGE_HOME.length() + 1));
        bin = Files.createDirectories(tmp.resolve("bin"));
        Path java = Files.writeString(bin.resolve("java"), """
                #!/bin/sh
                echo "pid=$$"
                for arg in "$@"; do printf 'arg=%s\\n' "$arg"; done
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void withoutArgumentsItExecsJavaWithTheContainerFlagsTheJarAndTheImageConfig() throws Exception {
        Run run = run(Map.of());
        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.argv()).containsExactlyElementsOf(command(DEFAULT_FLAGS, "--config", imageConfig()));
        assertThat(Path.of(imageConfig())).as("the config the image ships").isRegularFile();
        // exec: java replaced the shell (same process), so SIGTERM reaches the JVM and not a shell.
        assertThat(run.javaPid()).isEqualTo(run.shellPid());
    }

    @Test
    void aCommandGoesToTheJarAsItIs() throws Exception {
        assertThat(run(Map.of(), "validate", "/app/config/my config.yaml").argv())
                .containsExactlyElementsOf(command(DEFAULT_FLAGS, "validate", "/app/config/my config.yaml"));
        assertThat(run(Map.of(), "keys", "list").argv())
                .containsExactlyElementsOf(command(DEFAULT_FLAGS, "keys", "list"));
        assertThat(run(Map.of(), "new-key").argv()).containsExactlyElementsOf(command(DEFAULT_FLAGS, "new-key"));
    }

    @Test
    void flagsKeepTheImageConfigUnlessTheyNameAnother() throws Exception {
        assertThat(run(Map.of(), "--help").argv())
                .containsExactlyElementsOf(command(DEFAULT_FLAGS, "--config", imageConfig(), "--help"));
        assertThat(run(Map.of(), "--config", "/etc/other.yaml").argv())
                .containsExactlyElementsOf(command(DEFAULT_FLAGS, "--config", "/etc/other.yaml"));
        assertThat(run(Map.of(), "--config=/etc/other.yaml").argv())
                .containsExactlyElementsOf(command(DEFAULT_FLAGS, "--config=/etc/other.yaml"));
    }

    @Test
    void javaOptsComeAfterTheDefaultsWordByWordAndUnglobbed() throws Exception {
        // A file in the working directory that the '*' flag would expand to, were globbing on.
        Files.writeString(home.resolve("-Dtollgate.pattern=glob-bait"), "");
        Run run = run(Map.of("TOLLGATE_JAVA_OPTS", " -Xmx300m  -Dtollgate.pattern=*\t-Dspace=x "));
        assertThat(run.argv()).containsExactlyElementsOf(command(
                concat(DEFAULT_FLAGS, List.of("-Xmx300m", "-Dtollgate.pattern=*", "-Dspace=x")),
                "--config", imageConfig()));
    }

    @Test
    void aCollectorInJavaOptsReplacesTheDefaultOne() throws Exception {
        Run run = run(Map.of("TOLLGATE_JAVA_OPTS", "-XX:+UseZGC"));
        assertThat(run.argv()).containsExactlyElementsOf(command(
                concat(OPTION_FLAGS, List.of("-XX:+UseZGC")), "--config", imageConfig()));
        // Flags that merely start with -XX:+Use are not collectors.
        assertThat(run(Map.of("TOLLGATE_JAVA_OPTS", "-XX:+UseStringDeduplication")).argv())
                .containsExactlyElementsOf(command(concat(DEFAULT_FLAGS, List.of("-XX:+UseStringDeduplication")),
                        "--config", imageConfig()));
    }

    @Test
    void jvmDefaultsReplaceTheDefaultFlagsEvenWhenEmpty() throws Exception {
        assertThat(run(Map.of("TOLLGATE_JVM_DEFAULTS", "-Xmx1g -XX:+UseSerialGC", "TOLLGATE_JAVA_OPTS", "-Da=b")).argv())
                .containsExactlyElementsOf(command(List.of("-Xmx1g", "-XX:+UseSerialGC", "-Da=b"), "--config",
                        imageConfig()));
        assertThat(run(Map.of("TOLLGATE_JVM_DEFAULTS", "")).argv())
                .containsExactlyElementsOf(command(List.of(), "--config", imageConfig()));
    }

    @Test
    void theImagesCdsArchiveIsMappedWhenPresentWithItsNotesOnStandardError() throws Exception {
        Files.writeString(home.resolve("tollgate.jsa"), "written by cds-train.sh");
        assertThat(run(Map.of()).argv()).containsExactlyElementsOf(command(concat(cdsFlags(), DEFAULT_FLAGS),
                "--config", imageConfig()));
        // Another collector may make the JVM reject the archive, which it then ignores: the flag stays.
        assertThat(run(Map.of("TOLLGATE_JAVA_OPTS", "-XX:+UseZGC")).argv()).containsExactlyElementsOf(command(
                concat(concat(cdsFlags(), OPTION_FLAGS), List.of("-XX:+UseZGC")),
                "--config", imageConfig()));
        assertThat(run(Map.of(), "validate", "/app/config/tollgate.yaml").argv()).containsExactlyElementsOf(
                command(concat(cdsFlags(), DEFAULT_FLAGS), "validate", "/app/config/tollgate.yaml"));
    }

    @Test
    void withoutAnArchiveOrWithTollgateCdsZeroNoArchiveFlag() throws Exception {
        assertThat(run(Map.of()).argv()).containsExactlyElementsOf(command(DEFAULT_FLAGS, "--config", imageConfig()));
        Files.writeString(home.resolve("tollgate.jsa"), "written by cds-train.sh");
        assertThat(run(Map.of("TOLLGATE_CDS", "0")).argv())
                .containsExactlyElementsOf(command(DEFAULT_FLAGS, "--config", imageConfig()));
    }

    @Test
    void flagsThatAlreadyChooseWhatToShareKeepTheArchiveFlagOut() throws Exception {
        Files.writeString(home.resolve("tollgate.jsa"), "written by cds-train.sh");
        for (String opts : List.of("-Xshare:off", "-Xshare:dump", "-XX:SharedArchiveFile=/data/mine.jsa",
                "-XX:ArchiveClassesAtExit=/app/tollgate.jsa", "-XX:AOTCache=/data/app.aot")) {
            assertThat(run(Map.of("TOLLGATE_JAVA_OPTS", opts)).argv()).as(opts).containsExactlyElementsOf(
                    command(concat(DEFAULT_FLAGS, List.of(opts)), "--config", imageConfig()));
        }
        assertThat(run(Map.of("TOLLGATE_JVM_DEFAULTS", "-Xshare:off")).argv())
                .containsExactlyElementsOf(command(List.of("-Xshare:off"), "--config", imageConfig()));
        // -Xshare:on with the archive: the start fails unless the archive fits, the check the README gives.
        assertThat(run(Map.of("TOLLGATE_JAVA_OPTS", "-Xshare:on")).argv()).containsExactlyElementsOf(
                command(concat(concat(cdsFlags(), DEFAULT_FLAGS), List.of("-Xshare:on")), "--config", imageConfig()));
    }

    @Test
    void anArchivePathWithASpaceStaysOneArgument() throws Exception {
        Path moved = Files.move(home, tmp.resolve("the app"));
        script = moved.resolve(home.relativize(script));
        home = moved;
        Files.writeString(home.resolve("tollgate.jsa"), "written by cds-train.sh");
        assertThat(run(Map.of()).argv()).containsExactlyElementsOf(command(concat(cdsFlags(), DEFAULT_FLAGS),
                "--config", imageConfig()));
    }

    @Test
    void aMissingJarIsReportedWithItsPathAndJavaNeverRuns() throws Exception {
        Files.delete(home.resolve("tollgate.jar"));
        Run run = run(Map.of());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.argv()).isEmpty();
        assertThat(run.javaPid()).isEqualTo(-1);
        assertThat(run.stderr()).contains(home.resolve("tollgate.jar").toString()).contains("TOLLGATE_HOME");
    }

    /** The command line the fake java should see: flags, the jar, then the arguments. */
    private List<String> command(List<String> flags, String... args) {
        return concat(concat(flags, List.of("-jar", home.resolve("tollgate.jar").toString())), List.of(args));
    }

    /** What the script adds for the archive: the archive, and the JVM's CDS notes sent to standard error. */
    private List<String> cdsFlags() {
        return List.of("-XX:SharedArchiveFile=" + home.resolve("tollgate.jsa"), "-Xlog:cds*=off",
                "-Xlog:cds*=warning:stderr");
    }

    private String imageConfig() {
        return home.resolve("config/tollgate.yaml").toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        var command = new ArrayList<>(List.of("/bin/sh", script.toString()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(home.toFile());
        // Only what the image's environment would hold, so nothing of the build's (JAVA_HOME, JAVA_OPTS) leaks in.
        builder.environment().clear();
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        builder.environment().put("TOLLGATE_HOME", home.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("entrypoint.sh did not finish in 10 s");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        long javaPid = -1;
        var argv = new ArrayList<String>();
        for (String line : out.split("\n")) {
            if (line.startsWith("pid=")) {
                javaPid = Long.parseLong(line.substring(4));
            } else if (line.startsWith("arg=")) {
                argv.add(line.substring(4));
            }
        }
        return new Run(process.exitValue(), process.pid(), javaPid, argv, err);
    }
}
