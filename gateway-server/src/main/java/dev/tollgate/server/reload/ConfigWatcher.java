package dev.tollgate.server.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches the config file and hands changes to {@link ConfigReloader#fileChanged()}, debounced: editors and
 * deployment tools write a file in several steps (truncate then write, write a temporary file then rename), and
 * only the settled text should be loaded.
 *
 * <p>The directory is watched, not the file: a rename over the file, or Kubernetes swapping the {@code ..data}
 * link of a mounted ConfigMap, never touches the file's own entry. Any event in the directory leads to a read;
 * the reloader compares the text with what it last read, so unrelated files cost one read of a small file. A slow
 * poll backs the watch up on file systems that deliver no events (some network and overlay mounts).
 */
public final class ConfigWatcher implements AutoCloseable {
    /** Quiet time after the last event before the file is read. */
    public static final Duration DEBOUNCE = Duration.ofMillis(300);
    /** How often the file is read even without events. */
    public static final Duration POLL = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

    private final ConfigReloader reloader;
    private final BooleanSupplier enabled;
    private final WatchService watch;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tollgate-config-watch-timer").factory());
    private final Thread listener;
    private ScheduledFuture<?> pending;

    private ConfigWatcher(ConfigReloader reloader, BooleanSupplier enabled, WatchService watch) {
        this.reloader = reloader;
        this.enabled = enabled;
        this.watch = watch;
        this.listener = Thread.ofPlatform().daemon().name("tollgate-config-watch").unstarted(this::listen);
    }

    /**
     * Starts watching {@code reloader}'s file.
     *
     * @param enabled read at each change ({@code server.watch_config} of the config in force), so a reload can turn
     *     the watch off and on
     */
    public static ConfigWatcher start(ConfigReloader reloader, BooleanSupplier enabled) throws IOException {
        Path dir = reloader.file().toAbsolutePath().getParent();
        WatchService watch = FileSystems.getDefault().newWatchService();
        try {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            watch.close();
            throw e;
        }
        var watcher = new ConfigWatcher(reloader, enabled, watch);
        watcher.listener.start();
        watcher.timer.scheduleWithFixedDelay(watcher::check, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        return watcher;
    }

    private void listen() {
        try {
            while (true) {
                WatchKey key = watch.take();
                key.pollEvents(); // which entry changed does not matter: the file is read and compared
                key.reset();
                settleThenCheck();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the gateway is stopping
        }
    }

    private synchronized void settleThenCheck() {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = timer.schedule(this::check, DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void check() {
        if (!enabled.getAsBoolean()) {
            return;
        }
        reloader.submit(() -> {
            reloader.fileChanged();
            return null;
        }).exceptionally(e -> {
            LOG.log(Level.WARNING, "the config file could not be checked for changes", e);
            return null;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            watch.close(); // ends listen()
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the config watch", e);
        }
    }
}
