package dev.tollgate.server.exchange;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that measure large requests (decode the body, count its tokens) for a budget or a token limit, so
 * that an event loop never spends milliseconds on one request while every other connection on it waits. A few
 * daemon threads ({@code tollgate-measure-N}) and a bounded queue; built by {@code Tollgate}, closed once the event
 * loops have stopped.
 */
public final class MeasuringPool implements AutoCloseable {
    /**
     * A body from this size up is measured here rather than on its event loop. Measured on the 2-core box this
     * project runs on (JTokkit 1.1, a chat body of prose): decoding costs 1-4 ns a byte, counting 15-20 ns a byte
     * with cl100k (and with the cl100k-based estimate of non-OpenAI models) and 100-130 ns a byte with o200k (the
     * gpt-4o family); the hop to a worker and back costs about 16 µs. So 16 KiB stalls a loop for 0.3 ms (cl100k)
     * to 2 ms (o200k), and the largest body left inline is about as long as the gateway's whole added-latency
     * budget (performance P4: p99 1 ms), while the hop is under a tenth of what it saves. A smaller body is counted
     * inline: a chat of a few hundred bytes counts in 7-35 µs, less than the hop.
     */
    static final int OFF_LOOP_BYTES = 16 << 10;
    /**
     * Measurements waiting per thread before a loop measures for itself. A queued request waits for those ahead of
     * it: a full queue of 1 MB bodies (20-120 ms each) is a few seconds, far inside the default deadline of ten
     * minutes, and the loops stay free meanwhile.
     */
    private static final int QUEUE_PER_THREAD = 32;

    private final ThreadPoolExecutor workers;

    /** @param threads how many requests are measured at once */
    public MeasuringPool(int threads) {
        workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * QUEUE_PER_THREAD),
                Thread.ofPlatform().daemon().name("tollgate-measure-", 1).factory());
    }

    /**
     * Half the cores, at least one: the other half stays with the event loops, so a burst of large requests slows
     * large requests down, not the loops.
     */
    public static MeasuringPool forThisMachine() {
        return new MeasuringPool(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    /** Whether a request of {@code bodyBytes} is worth measuring here: see {@link #OFF_LOOP_BYTES}. */
    static boolean worthAHop(int bodyBytes) {
        return bodyBytes >= OFF_LOOP_BYTES;
    }

    /**
     * Runs {@code measurement} on a worker. False when no worker can take it, the queue being full (or the pool
     * closed, during shutdown): the caller then measures on its own thread. Refusing the request instead would
     * turn a burst of large requests into errors the gateway could have served, and measuring inline is what the
     * gateway did before this pool: a loop busy measuring also stops taking new work, which is the backpressure a
     * full queue asks for.
     */
    boolean offer(Runnable measurement) {
        try {
            workers.execute(measurement);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Drops the measurements still queued: called once the event loops have stopped, when no exchange is left to
     * take a result. One under way runs to its end on its daemon thread (a count cannot be interrupted), and its
     * result is refused by the stopped loop.
     */
    @Override
    public void close() {
        workers.shutdownNow();
    }
}
