package dev.tollgate.server.log;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.LogLevel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Audit lines: who changed what (admin actions on keys and the cache, config versions), written before the change
 * takes effect. Every line goes to the event log, never filtered by level nor dropped when the log is busy. When
 * {@code server.audit_log} names a file, the line is also appended there and forced to disk first, and a line that
 * cannot be written there stops the change: an action the audit trail does not hold is not done.
 */
public final class AuditLog implements AutoCloseable {
    private final LogSink sink;
    private final Supplier<Path> file;
    /** One thread: file lines keep their order, and nothing here ever blocks an event loop. */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("tollgate-audit").factory());

    /** @param file read per line, so a reload can set, move or drop the file; null for none */
    public AuditLog(LogSink sink, Supplier<Path> file) {
        this.sink = requireNonNull(sink, "sink");
        this.file = requireNonNull(file, "file");
    }

    /** The start of an audit line; add what changed (never a secret), then {@link #record} it. */
    public static JsonLine entry(String action, String actor) {
        return new JsonLine().field("ts", Instant.now().toString()).field("type", "audit")
                .field("action", action).field("actor", actor);
    }

    /**
     * Writes {@code line} from the audit thread; the stage fails with {@link Unwritable} when the audit file cannot
     * take it. For callers on an event loop.
     */
    public CompletionStage<Void> record(JsonLine line) {
        return CompletableFuture.runAsync(() -> recordNow(line), writer);
    }

    /**
     * Writes {@code line} on the calling thread, which must not be an event loop.
     *
     * @throws Unwritable when the audit file cannot take it (the event log still has it)
     */
    public void recordNow(JsonLine line) {
        recordNow(line, file.get());
    }

    /**
     * Writes the line of a config change, which may move the audit file: it goes to the file in force and to
     * {@code trailAfter}, the one the new config names. Only the latter must take it, so a change that repairs a
     * broken audit path can be applied; refusing it would leave no way to fix the path short of a restart.
     *
     * @throws Unwritable when {@code trailAfter} cannot take it
     */
    public void recordNow(JsonLine line, Path trailAfter) {
        sink.writeAlways(line);
        String text = line + "\n";
        Path before = file.get();
        if (before != null && !before.equals(trailAfter)) {
            try {
                append(before, text);
            } catch (Unwritable e) {
                // the change leaves this file; the failure is in the event log
            }
        }
        if (trailAfter != null) {
            append(trailAfter, text);
        }
    }

    private void append(Path target, String text) {
        try {
            Path parent = target.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(false);
            }
        } catch (IOException | RuntimeException e) {
            sink.writeAlways(LogSink.event(LogLevel.ERROR, "the audit file cannot be written")
                    .field("file", target.toString()).field("error", e.toString()));
            throw new Unwritable(target, e);
        }
    }

    @Override
    public void close() {
        writer.close();
    }

    /** The audit file refused a line: the change it records must not be made. */
    public static final class Unwritable extends RuntimeException {
        Unwritable(Path file, Exception cause) {
            super("The audit log " + file + " cannot be written (" + cause.getClass().getSimpleName()
                    + "), so the change was not made.", cause);
        }
    }
}
