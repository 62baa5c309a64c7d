package dev.tollgate.server.log;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes log lines from a thread of its own, so an event loop never waits on a terminal or a full pipe. The
 * queue is bounded: when the writer falls behind, lines are dropped and counted (the count is logged once the
 * writer catches up), never buffered without limit.
 */
public final class LogSink implements AutoCloseable {
    private static final String STOP = new String("stop");

    private final ArrayBlockingQueue<String> queue;
    private final BufferedWriter writer;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();

    public LogSink(OutputStream out, int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 << 10);
        this.thread = Thread.ofPlatform().daemon().name("tollgate-log").start(this::drain);
    }

    /** The start of an event line (time, level, message); add fields, then {@link #write(JsonLine)} it. */
    public static JsonLine event(String level, String message) {
        return new JsonLine().field("ts", Instant.now().toString()).field("level", level).field("msg", message);
    }

    public void write(JsonLine line) {
        write(line.toString());
    }

    /** Queues a complete JSON line; drops it if the queue is full. */
    public void write(String line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        var batch = new ArrayList<String>(256);
        try {
            while (true) {
                String first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 255);
                for (String line : batch) {
                    if (line == STOP) {
                        writer.flush();
                        return;
                    }
                    writer.write(line);
                    writer.write('\n');
                }
                batch.clear();
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    writer.write("{\"level\":\"warn\",\"msg\":\"log lines dropped: writer fell behind\",\"dropped\":" + lost + "}\n");
                }
                if (queue.isEmpty()) {
                    writer.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued (waiting up to five seconds) and stops the writer thread. */
    @Override
    public void close() {
        while (!queue.offer(STOP)) {
            queue.poll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
