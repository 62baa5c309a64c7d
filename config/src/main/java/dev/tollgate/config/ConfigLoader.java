package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.MockEndpoints;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Loads a Tollgate config: strict YAML, bound and checked with every problem reported at once, then compiled into
 * a {@link dev.tollgate.core.runtime.RuntimeSnapshot}. Called by the server at startup and on reload, and by
 * {@code tollgate validate}; never on a request path.
 *
 * <p>Blocking: reads the config file and secret files, and compiling a valid config may start mock servers through
 * {@link MockEndpoints}. Invalid input never throws: it comes back as {@link LoadResult.Invalid}. Thread-safe; a
 * loader holds no state between calls. No secret value appears in any problem, warning or {@code toString}.
 */
public final class ConfigLoader {
    /** The {@code source} of the built-in demo's snapshot. */
    public static final String DEMO_SOURCE = "built-in demo";
    /** The largest config file read, in bytes. */
    public static final int MAX_FILE_BYTES = YamlTreeReader.MAX_CODE_POINTS;

    private static final String DEMO_RESOURCE = "demo.yaml";

    private final ConfigBinder binder;
    private final SnapshotCompiler compiler;

    /**
     * @param providerTypes the provider types the gateway can serve: those of its adapters, and {@code mock}. A type
     *     outside this set is a problem even when the config knows its rules ({@code anthropic} on a gateway
     *     without the Anthropic adapter, say)
     * @param env looks up an environment variable for {@code ${env:NAME}}, null when unset
     * @param mocks starts the built-in mock server of a {@code mock} provider; called only for a valid config
     */
    public ConfigLoader(Set<String> providerTypes, Function<String, String> env, MockEndpoints mocks) {
        var secrets = new SecretReferences(env);
        this.binder = new ConfigBinder(
                new ProvidersSection(providerTypes, secrets), new StorageSection(secrets), new BudgetsSection(secrets),
                new AdminSection(secrets), new TracingSection(secrets, env));
        this.compiler = new SnapshotCompiler(mocks);
    }

    /**
     * Loads the file at {@code file}; the snapshot's source and the problems' file name are its path, and relative
     * paths in it (the SQLite ledger, the spill directory) resolve against its directory.
     */
    public LoadResult load(Path file) {
        var problems = new Diagnostics(file.toString());
        String text = read(file, reason -> problems.error(Origin.FILE, reason));
        return text == null
                ? new LoadResult.Invalid(problems.errors())
                : compile(file.toString(), text, directoryOf(file), problems);
    }

    /**
     * Loads {@code text} as if it were the content of {@code file} (its name in problems, its directory for relative
     * paths), without reading the file: how an earlier version of a file's config is brought back.
     */
    public LoadResult load(Path file, String text) {
        requireNonNull(text, "text");
        return compile(file.toString(), text, directoryOf(file), new Diagnostics(file.toString()));
    }

    /**
     * Loads the built-in demo config (mock providers only), whose source is {@value #DEMO_SOURCE}; its relative paths
     * resolve against the working directory.
     */
    public LoadResult loadDemo() {
        return compile(DEMO_SOURCE, demoText(), workingDirectory(), new Diagnostics(DEMO_SOURCE));
    }

    /**
     * Loads config text; {@code fileName} names it in problems and is the snapshot's source. Relative paths resolve
     * against the working directory.
     */
    public LoadResult parse(String fileName, String yamlText) {
        requireNonNull(yamlText, "yamlText");
        return compile(fileName, yamlText, workingDirectory(), new Diagnostics(fileName));
    }

    /**
     * Every problem in the file at {@code file}, without compiling it: no mock server is started. Secret
     * references are resolved, so an unset variable is reported. No errors means {@link #load} would succeed
     * unless a mock server fails to start.
     */
    public Validation validate(Path file) {
        var problems = new Diagnostics(file.toString());
        String text = read(file, reason -> problems.error(Origin.FILE, reason));
        if (text != null) {
            check(text, directoryOf(file), problems);
        }
        return new Validation(problems.errors(), problems.warnings());
    }

    /** The built-in demo's YAML, as shipped in the jar. */
    static String demoText() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEMO_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + DEMO_RESOURCE + " next to ConfigLoader");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private LoadResult compile(String source, String text, Path base, Diagnostics problems) {
        TollgateConfig config = check(text, base, problems);
        if (config == null || problems.hasErrors()) {
            return new LoadResult.Invalid(problems.errors());
        }
        return compiler.compile(config, source, text, problems);
    }

    /** The bound config, or null when the text is not readable YAML; problems either way are in {@code problems}. */
    private TollgateConfig check(String text, Path base, Diagnostics problems) {
        YamlNode root = YamlTreeReader.read(text, problems);
        if (root == null) {
            return null;
        }
        TollgateConfig config = binder.bind(root, base, problems);
        ConfigValidator.check(config, problems);
        return config;
    }

    private static Path directoryOf(Path file) {
        return file.toAbsolutePath().getParent();
    }

    private static Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    /**
     * The text of a config file (or of a file it includes), or null with the reason given to {@code problem}: it is
     * missing, a directory, larger than {@link #MAX_FILE_BYTES}, not UTF-8, or unreadable.
     */
    static String read(Path file, Consumer<String> problem) {
        try {
            if (Files.isDirectory(file)) {
                problem.accept("is a directory, not a file");
                return null;
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                // One byte over the cap tells "too large" apart from "exactly at the cap", without trusting size().
                bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            }
            if (bytes.length > MAX_FILE_BYTES) {
                problem.accept("is larger than " + SizeSyntax.format(MAX_FILE_BYTES));
                return null;
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            problem.accept("no such file");
        } catch (CharacterCodingException e) {
            problem.accept("is not UTF-8 text");
        } catch (IOException e) {
            problem.accept("cannot be read: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return null;
    }
}
