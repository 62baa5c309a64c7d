package dev.tollgate.server.quality;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Best-effort rows written to a store on a thread of their own, through a bounded queue: {@link #offer} never
 * blocks (it is called on event loops and workers), and an item the full queue cannot take, or a batch the store
 * refuses, is handed to the drop counter instead, since such rows must never slow or grow the gateway (unlike spend
 * rows they are not worth a spill file). The review samples and the evaluation results are written this way.
 *
 * @param <T> what is queued
 */
public final class BatchWriter<T> implements AutoCloseable {
    /** Writes one batch, on the writer's thread. */
    @FunctionalInterface
    public interface Sink<T> {
        /** @throws Exception when the store fails: the batch is then dropped and counted */
        void write(List<T> batch) throws Exception;
    }

    private static final int BATCH = 64;
    private static final Logger LOG = Logger.getLogger(BatchWriter.class.getName());

    private final String what;
    private final BlockingQueue<T> queue;
    private final Sink<T> sink;
    private final Consumer<List<T>> dropped;
    private final Thread thread;
    private volatile boolean closing;

    /**
     * @param threadName the writer thread's name
     * @param what what the items are, plural, for the log ({@code review samples})
     * @param dropped counts items that were not written; called on the offering thread or the writer's
     */
    public BatchWriter(String threadName, String what, int capacity, Sink<T> sink, Consumer<List<T>> dropped) {
        this.what = requireNonNull(what, "what");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sink = requireNonNull(sink, "sink");
        this.dropped = requireNonNull(dropped, "dropped");
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::run);
    }

    public BatchWriter<T> start() {
        thread.start();
        return this;
    }

    /** Queues an item, or drops and counts it when the queue is full or the writer is closing. Never blocks. */
    public void offer(T item) {
        if (closing || !queue.offer(item)) {
            dropped.accept(List.of(item));
        }
    }

    private void run() {
        List<T> batch = new ArrayList<>(BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                T first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<T> batch) {
        try {
            sink.write(batch);
        } catch (Exception e) {
            // Never the texts in the log: they are what redaction is for.
            LOG.log(Level.WARNING, batch.size() + " " + what + " dropped: they could not be stored: " + e);
            dropped.accept(List.copyOf(batch));
        }
    }

    /** Writes what is queued (waiting a few seconds at most), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }
}
