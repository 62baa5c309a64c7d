package dev.tollgate.server.reload;

import static java.util.Objects.requireNonNull;

import dev.tollgate.config.ConfigDiff;
import dev.tollgate.config.ConfigEdits;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.ConfigProblem;
import dev.tollgate.config.LoadResult;
import dev.tollgate.config.Redaction;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.runtime.LogLevel;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.server.log.AuditLog;
import dev.tollgate.server.log.LogSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Puts a changed config in force: load, check and compile it, then swap the snapshot in one atomic step. A request
 * reads the snapshot once and keeps it for its whole life, so a swap never mixes two configs in one request, and
 * streams in flight finish on the config they started with. A config with any problem is rejected whole and the
 * running one keeps serving. Every applied config becomes a numbered {@link ConfigVersion}; any kept version can be
 * brought back in one call.
 *
 * <p>Reloads are serialised on one thread of their own (they read files, resolve secrets and may start mock
 * servers: never on an event loop). Every outcome is written to the log as an audit line and counted in metrics.
 */
public final class ConfigReloader implements AutoCloseable {
    /** Lines of context around each change in a diff. */
    private static final int DIFF_CONTEXT = 3;

    private final ConfigLoader loader;
    private final ConfigLoader inertLoader;
    private final Path file;
    private final AtomicReference<RuntimeSnapshot> current;
    private final StartupSettings startup;
    private final ConfigHistory history = new ConfigHistory();
    private final Consumer<RuntimeSnapshot> onApplied;
    private final LogSink logs;
    private final AuditLog audit;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("tollgate-config").factory());
    /**
     * The hash of the file's text when a reload last read it, or null when that read failed (a missing or unreadable
     * file): the watch reloads only when this changes, so a broken or missing file is reported once, not at every
     * event in its directory.
     */
    private String seenFileHash;
    /**
     * The hash of the file's text when a rollback or an edit last failed to write over it, or null. While the file
     * still holds that text it is behind the version in force only because the gateway could not write it (a
     * read-only ConfigMap), not because someone edited it: an edit then starts from the version in force, where
     * refusing it would leave "reload the file", which undoes the earlier change, as the only way on.
     */
    private String unwrittenFileHash;
    /** The settings of the config in force that wait for a restart. */
    private volatile List<String> pending = List.of();

    /**
     * @param inertLoader a loader like {@code loader} whose compiling starts nothing (its mock endpoints are
     *     placeholders): a dry run goes all the way through compiling without touching what runs
     * @param file the config file, or null for a config without one (the built-in demo): it cannot be reloaded,
     *     only rolled back
     * @param loaded what the process started with; it becomes version 1
     * @param current the snapshot requests read; swapped here
     * @param onApplied told of each snapshot put in force, after the swap (to poll new deployments' load, drop the
     *     health of removed ones, close pools of removed origins)
     */
    public ConfigReloader(ConfigLoader loader, ConfigLoader inertLoader, Path file, LoadResult.Loaded loaded,
                          AtomicReference<RuntimeSnapshot> current, Consumer<RuntimeSnapshot> onApplied,
                          LogSink logs, AuditLog audit, GatewayMetrics metrics, Clock clock) {
        this.loader = requireNonNull(loader, "loader");
        this.inertLoader = requireNonNull(inertLoader, "inertLoader");
        this.file = file;
        this.current = requireNonNull(current, "current");
        this.startup = new StartupSettings(loaded.snapshot());
        this.onApplied = requireNonNull(onApplied, "onApplied");
        this.logs = requireNonNull(logs, "logs");
        this.audit = requireNonNull(audit, "audit");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
        history.add(loaded.text(), clock.instant(), "startup", null);
        this.seenFileHash = ConfigVersion.hashOf(loaded.text());
    }

    /** The config file, or null when the config has none. */
    public Path file() {
        return file;
    }

    /** Runs {@code task} on the reload thread. */
    public <T> CompletableFuture<T> submit(Supplier<T> task) {
        try {
            return CompletableFuture.supplyAsync(task, worker);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the gateway is stopping", e));
        }
    }

    /** Where the config in force came from: its file, or the name of the built-in demo. */
    public String source() {
        return current.get().source();
    }

    public ConfigVersion current() {
        return history.current();
    }

    public List<ConfigVersion> versions() {
        return history.newestFirst();
    }

    /** Version {@code number}, or null when it does not exist or is no longer kept. */
    public ConfigVersion version(int number) {
        return history.get(number);
    }

    /** The settings of the config in force that wait for a restart. */
    public List<String> restartPending() {
        return pending;
    }

    /**
     * The redacted unified diff between two kept versions: empty when they are equal.
     *
     * @throws IllegalArgumentException naming the version that is not kept
     */
    public String diff(int from, int to) {
        return diff(kept(from), kept(to));
    }

    /**
     * Re-reads the config file and puts it in force (or, for a dry run, checks it and tells what would change).
     * Blocking: call on the reload thread ({@link #submit}).
     *
     * @param actor who asked, for the version and the audit line
     */
    public synchronized ReloadResult reload(String actor, boolean dryRun) {
        if (file == null) {
            return new ReloadResult.Refused("This gateway runs the built-in demo config, which has no file to "
                    + "reload; start it with --config FILE.", ReloadResult.Cause.CONFLICT);
        }
        String text = readQuietly(file);
        if (dryRun) {
            return check(text); // not "seen": the file watch still applies this text when it notices it
        }
        seenFileHash = hashOrNull(text);
        unwrittenFileHash = null; // whatever the file holds is what is now asked for
        return apply(text == null ? loader.load(file) : loader.load(file, text), actor, null);
    }

    /** Reloads when the file's text differs from what was last read; called by the file watch. */
    public synchronized void fileChanged() {
        if (Objects.equals(hashOrNull(readQuietly(file)), seenFileHash)) {
            return; // touched, rewritten with the same text (a rollback's own write, say), or still unreadable
        }
        reload("file watch", false);
    }

    private static String hashOrNull(String text) {
        return text == null ? null : ConfigVersion.hashOf(text);
    }

    /**
     * Puts kept version {@code number} back in force as a new version, and writes its text to the config file so
     * that the file, the next file-watch reload and the next restart agree with what runs. Rolling back to the
     * version in force changes nothing that runs, but still restores the file if it holds other text (a rejected
     * edit, say).
     */
    public synchronized ReloadResult rollback(int number, String actor) {
        ConfigVersion target = history.get(number);
        if (target == null) {
            return new ReloadResult.Refused("No config version " + number + "; kept: " + history.oldest() + " to "
                    + history.current().number() + ".", ReloadResult.Cause.NOT_FOUND);
        }
        LoadResult loaded = file == null ? loader.parse(current.get().source(), target.text())
                : loader.load(file, target.text());
        ReloadResult result = apply(loaded, actor, "rollback to " + number);
        if (file == null || !(result instanceof ReloadResult.Applied || result instanceof ReloadResult.Unchanged)) {
            return result;
        }
        String failure = target.hash().equals(hashOrNull(readQuietly(file))) ? null : write(target.text());
        wrote(target.hash(), failure);
        return result instanceof ReloadResult.Applied applied
                ? applied.written(new ReloadResult.FileWrite(number, failure == null ? null
                        : fileNote("the rolled-back config", failure, "the newer text")))
                : result;
    }

    /**
     * Applies an edit of the config file's text made by the gateway itself (a prompt label moved from the admin
     * API, say) as a new version, then writes the edited text to the file. The edit is a config change like any
     * other: checked whole, versioned with {@code note}, audited, and undone by a rollback.
     *
     * <p>Refused (409) when there is no file (the built-in demo), or when the file no longer holds the text in force:
     * someone edited it without reloading, and applying the gateway's edit on top would put their edit in force
     * unseen, or dropping it would lose it. A file still holding what it held when the gateway's own write over it
     * failed is not such a change: the edit then starts from the version in force.
     *
     * @param edit the new text from the file's current text; may throw {@link ConfigEdits.Refused}, answered 409
     */
    public synchronized ReloadResult edit(UnaryOperator<String> edit, String actor, String note) {
        if (file == null) {
            return new ReloadResult.Refused("This gateway runs the built-in demo config, which has no file to edit; "
                    + "start it with --config FILE.", ReloadResult.Cause.CONFLICT);
        }
        ConfigVersion running = history.current();
        String text = readQuietly(file);
        String fileHash = hashOrNull(text);
        if (fileHash != null && fileHash.equals(unwrittenFileHash)) {
            text = running.text(); // behind only because the gateway could not write it
        } else if (text == null || !fileHash.equals(running.hash())) {
            return new ReloadResult.Refused(file + " has been changed since version " + running.number()
                    + " was applied and no longer holds the config in force; reload it (POST /admin/config/reload) "
                    + "or undo the change to the file, then try again.", ReloadResult.Cause.CONFLICT);
        }
        String edited;
        try {
            edited = edit.apply(text);
        } catch (ConfigEdits.Refused e) {
            return new ReloadResult.Refused(e.getMessage(), ReloadResult.Cause.CONFLICT);
        }
        ReloadResult result = apply(loader.load(file, edited), actor, note);
        if (!(result instanceof ReloadResult.Applied applied)) {
            return result;
        }
        String failure = write(edited);
        wrote(applied.version().hash(), failure);
        return applied.written(new ReloadResult.FileWrite(null, failure == null ? null
                : fileNote("the edited config", failure, "an older text")));
    }

    /**
     * Notes how writing the text with hash {@code written} to the file ended: the watch then leaves the gateway's own
     * write alone, and a failed one marks the text the file still holds as known to be behind.
     */
    private void wrote(String written, String failure) {
        if (failure == null) {
            seenFileHash = written;
            unwrittenFileHash = null;
        } else {
            unwrittenFileHash = hashOrNull(readQuietly(file));
        }
    }

    private ReloadResult check(String text) {
        LoadResult result = immutable(text == null ? inertLoader.load(file) : inertLoader.load(file, text));
        if (result instanceof LoadResult.Invalid invalid) {
            return new ReloadResult.Rejected(invalid.problems());
        }
        var loaded = (LoadResult.Loaded) result;
        ConfigVersion running = history.current();
        return new ReloadResult.Checked(diff(running.text(), loaded.text(), "v" + running.number(), file.toString()),
                startup.pending(loaded.snapshot()), loaded.warnings());
    }

    private ReloadResult apply(LoadResult loadResult, String actor, String note) {
        LoadResult result = immutable(loadResult);
        if (result instanceof LoadResult.Invalid invalid) {
            metrics.configReloaded("rejected", history.current().number(), !pending.isEmpty());
            logs.write(LogSink.event(LogLevel.WARN, "config rejected; the running config keeps serving")
                    .field("actor", actor)
                    .field("version_in_force", history.current().number())
                    .field("detail", invalid.problems().stream().map(ConfigProblem::toString)
                            .collect(Collectors.joining("\n"))));
            try {
                audit.recordNow(AuditLog.entry("config.rejected", actor)
                        .field("version_in_force", history.current().number())
                        .field("problems", invalid.problems().size()));
            } catch (AuditLog.Unwritable e) {
                // nothing changed, so nothing is refused: the event log holds the line and the failure
            }
            return new ReloadResult.Rejected(invalid.problems());
        }
        var loaded = (LoadResult.Loaded) result;
        ConfigVersion previous = history.current();
        boolean sameText = ConfigVersion.hashOf(loaded.text()).equals(previous.hash());
        boolean sameSecrets = sameSecrets(current.get(), loaded.snapshot());
        // Prompt versions files are read with the config but are not part of its text: a version added to one
        // changes the registry and nothing else.
        boolean samePrompts = current.get().prompts().equals(loaded.snapshot().prompts());
        if (sameText && sameSecrets && samePrompts) {
            metrics.configReloaded("unchanged", previous.number(), !pending.isEmpty());
            return new ReloadResult.Unchanged(previous);
        }
        // The same text with other credentials (a secret file rotated, or the environment changed) or prompts.
        String why = note != null || !sameText ? note
                : !sameSecrets ? "secrets re-read" : "prompt versions files re-read";
        RuntimeSnapshot next = startup.inForce(loaded.snapshot());
        List<String> waiting = startup.pending(loaded.snapshot());
        var stats = ConfigDiff.stats(previous.text(), loaded.text());
        try {
            // Before the new config is in force; the version number is the next one, as versions are added
            // only here, under this object's lock.
            audit.recordNow(AuditLog.entry("config.applied", actor)
                    .field("version", previous.number() + 1)
                    .field("previous", previous.number())
                    .field("hash", ConfigVersion.hashOf(loaded.text()))
                    .field("note", why)
                    .field("lines_added", stats.added())
                    .field("lines_removed", stats.removed())
                    // Which sections changed, never their values: the redacted diff is in the config version.
                    .field("sections", String.join(",", ConfigDiff.sections(previous.text(), loaded.text())))
                    .field("restart_required", String.join(",", waiting)), next.server().auditLog());
        } catch (AuditLog.Unwritable e) {
            metrics.configReloaded("rejected", previous.number(), !pending.isEmpty());
            return new ReloadResult.Refused(e.getMessage(), ReloadResult.Cause.UNAVAILABLE);
        }
        current.set(next);
        ConfigVersion version = history.add(loaded.text(), clock.instant(), actor, why);
        pending = waiting;
        onApplied.accept(next);
        String diff = diff(previous, version);
        metrics.configReloaded("applied", version.number(), !waiting.isEmpty());
        logs.write(LogSink.event(LogLevel.INFO, "config applied")
                .field("version", version.number())
                .field("actor", actor)
                .field("note", why));
        for (ConfigProblem warning : loaded.warnings()) {
            logs.write(LogSink.event(LogLevel.WARN, "config: " + warning));
        }
        return new ReloadResult.Applied(version, diff, waiting, loaded.warnings(), null);
    }

    /**
     * {@code result}, or an invalid result when its prompt registry gives a version in force other content: a
     * prompt version is immutable (what a request recorded as {@code support-answer@3} rendered must stay what
     * version 3 is), so a change is a new version and a label moved to it.
     *
     * <p>The same check holds for a rollback, with no exemption. Each applied config passed this check against the
     * one before it, so an older config gives a version number in force other content only when that number was
     * removed since and added again with new content (or was edited by an earlier process, before a restart).
     * Bringing the old content back would change what requests recorded under that number rendered, which is what
     * the rule forbids, so such a rollback is refused like any config that does it; every other rollback passes.
     */
    private LoadResult immutable(LoadResult result) {
        if (!(result instanceof LoadResult.Loaded loaded)) {
            return result;
        }
        List<String> edited = loaded.snapshot().prompts().editedVersions(current.get().prompts());
        if (edited.isEmpty()) {
            return result;
        }
        String source = loaded.snapshot().source();
        var problems = new ArrayList<ConfigProblem>();
        for (String version : edited) {
            int split = version.lastIndexOf('@');
            String id = version.substring(0, split);
            String number = version.substring(split + 1);
            // Found in the main file; a version written in a prompt's versions_file is reported without a line.
            ConfigEdits.Position at = ConfigEdits.position(loaded.text(), "prompts", id, "versions", number);
            problems.add(new ConfigProblem(source, at == null ? 0 : at.line(), at == null ? 0 : at.column(),
                    "prompts." + id + ".versions." + number,
                    "version " + number + " of prompt '" + id + "' differs from the one in force; versions are "
                            + "immutable: add a new version and move the label"));
        }
        return new LoadResult.Invalid(problems);
    }

    /**
     * Whether two snapshots of the same text hold the same resolved secrets: the credentials of providers, admin
     * keys and the budget alert webhook. A secret file rotated since the last load makes them differ.
     */
    private static boolean sameSecrets(RuntimeSnapshot running, RuntimeSnapshot next) {
        return running.providers().equals(next.providers())
                && running.access().adminKeys().equals(next.access().adminKeys())
                && Objects.equals(running.access().alerts(), next.access().alerts());
    }

    private ConfigVersion kept(int number) {
        ConfigVersion v = history.get(number);
        if (v == null) {
            throw new IllegalArgumentException("No config version " + number + "; kept: " + history.oldest() + " to "
                    + history.current().number() + ".");
        }
        return v;
    }

    private static String diff(ConfigVersion from, ConfigVersion to) {
        return diff(from.text(), to.text(), "v" + from.number(), "v" + to.number());
    }

    private static String diff(String from, String to, String fromLabel, String toLabel) {
        return ConfigDiff.unified(Redaction.redact(from), Redaction.redact(to), fromLabel, toLabel, DIFF_CONTEXT);
    }

    /**
     * Writes {@code text} over the config file through a temporary file and an atomic rename, so a reader (this
     * gateway's watch, another replica sharing the file) never sees half of it. A symbolic link is followed: the
     * file it points to is replaced, the link stays. The file keeps its permissions: the rename puts the temporary
     * file in its place, and a config readable by its owner only (it may hold a secret written inline) must not
     * come back readable by everyone under the umask's defaults.
     *
     * @return null when written, else why not
     */
    private String write(String text) {
        try {
            replaceFile(text);
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** What an answer says when {@code inForce} runs but the file could not be written; also logged. */
    private String fileNote(String inForce, String failure, String fileHolds) {
        String note = inForce + " is in force, but " + file + " could not be rewritten (" + failure + "); it still "
                + "holds " + fileHolds + ", which a restart or an explicit reload would apply again";
        logs.write(LogSink.event(LogLevel.WARN, "config: " + note));
        return note;
    }

    private void replaceFile(String text) throws IOException {
        Path target = file.toRealPath();
        Path temp = target.resolveSibling("." + target.getFileName() + ".tollgate-write");
        Set<PosixFilePermission> permissions = posixPermissions(target);
        Files.deleteIfExists(temp); // left by a process killed mid-write: createFile below would fail on it
        try {
            if (permissions == null) {
                Files.createFile(temp);
            } else {
                // Created with them (never wider while the secret is written), then set: the umask narrows
                // what createFile grants.
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(permissions));
                Files.setPosixFilePermissions(temp, permissions);
            }
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file's POSIX permissions, or null on a file system without them. */
    private static Set<PosixFilePermission> posixPermissions(Path path) throws IOException {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? Files.getPosixFilePermissions(path) : null;
    }

    /**
     * The file's text, or null when it cannot be read as a config (missing, too large, not UTF-8): the loader then
     * reads it itself and reports why in the file's own terms.
     */
    private static String readQuietly(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(ConfigLoader.MAX_FILE_BYTES + 1);
            if (bytes.length > ConfigLoader.MAX_FILE_BYTES) {
                return null;
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
