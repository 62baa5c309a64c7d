package dev.tollgate.server.log;

import dev.tollgate.core.runtime.LogLevel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Writes log lines from a thread of its own, so an event loop never waits on a terminal, a full pipe or a lock.
 * Handing a line over is a lock-free enqueue with no wake-up: the writer drains the queue every few milliseconds
 * (a wake-up per line would cost a system call per request). The queue is bounded: when the writer falls behind,
 * lines are dropped and counted (the count is logged once it catches up), never buffered without limit.
 * Event lines below the threshold ({@code server.log_level}) are dropped before they are queued.
 */
public final class LogSink implements AutoCloseable {
    /** How long the writer sleeps when the queue is empty: the most a line waits before it is written. */
    private static final long DRAIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final int capacity;
    private final ConcurrentLinkedQueue<Supplier<String>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final BufferedWriter writer;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile LogLevel threshold = LogLevel.INFO;

    public LogSink(OutputStream out, int capacity) {
        this.capacity = capacity;
        this.writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 << 10);
        this.thread = Thread.ofPlatform().daemon().name("tollgate-log").start(this::drainLoop);
    }

    /** The start of an event line (time, level, message); add fields, then {@link #write(JsonLine)} it. */
    public static JsonLine event(LogLevel level, String message) {
        return new JsonLine(level).field("ts", Instant.now().toString()).field("level", level.label())
                .field("msg", message);
    }

    /** The least severe event line written from now on; set at start and by every applied config. */
    public void threshold(LogLevel level) {
        threshold = level;
    }

    /** Whether an event line at {@code level} would be written: lets a caller skip building one. */
    public boolean admits(LogLevel level) {
        return threshold.admits(level);
    }

    public void write(JsonLine line) {
        if (line.level() != null && !threshold.admits(line.level())) {
            return;
        }
        String text = line.toString();
        write(() -> text);
    }

    /**
     * Queues a line even when the queue is full: for the few lines that must not be lost (audit lines), which
     * come too rarely to flood it.
     */
    void writeAlways(JsonLine line) {
        String text = line.toString();
        queued.incrementAndGet();
        queue.offer(() -> text);
    }

    /**
     * Queues a line that the writer thread renders: formatting (escaping, timestamps) then costs the caller
     * nothing but the capture. Drops the line when the queue is full.
     */
    public void write(Supplier<String> line) {
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(line);
    }

    private void drainLoop() {
        try {
            while (!stopping) {
                if (!drain()) {
                    LockSupport.parkNanos(DRAIN_INTERVAL_NANOS);
                }
            }
            drain();
            writer.flush();
        } catch (IOException e) {
            // stdout is gone: nothing left to tell
        }
    }

    /** Writes what is queued; returns whether there was anything. */
    private boolean drain() throws IOException {
        Supplier<String> line = queue.poll();
        if (line == null) {
            return false;
        }
        int written = 0;
        do {
            writer.write(line.get());
            writer.write('\n');
            written++;
        } while ((line = queue.poll()) != null);
        queued.addAndGet(-written);
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            writer.write(event(LogLevel.WARN, "log lines dropped: the writer fell behind").field("dropped", lost) + "\n");
        }
        writer.flush();
        return true;
    }

    /** Writes what is queued (waiting up to five seconds) and stops the writer thread. */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
