package dev.tollgate.server.trace;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.observe.trace.Span;
import dev.tollgate.core.observe.trace.SpanSink;
import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.runtime.LogLevel;
import dev.tollgate.core.spi.Header;
import dev.tollgate.providers.wire.RetryAfter;
import dev.tollgate.server.log.LogSink;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Sends finished spans to an OpenTelemetry collector over OTLP/HTTP with the JSON encoding
 * ({@code POST <endpoint>/v1/traces}, {@code application/json}). The settings are those in force: read for each
 * span (the queue's bound) and each batch (everything else), so a reload changes them without a restart.
 *
 * <p>Event loops only queue: {@link #accept} is a lock-free bounded enqueue, and a span that finds the queue full
 * is dropped and counted, never waited for. One thread of its own (started with the first span, so a gateway that
 * traces nothing runs none) takes batches of up to {@code batch_size} spans, as soon as that many wait or after
 * {@link #INTERVAL}, encodes them and posts them. A 429, 502, 503 or 504 answer, or a connection failure, is
 * retried (after the collector's {@code Retry-After}, seconds or a date, when it gives one) up to
 * {@link #MAX_RETRIES} times, as the OTLP specification advises; a {@code Retry-After} longer than
 * {@link #MAX_BACKOFF}, and any other answer, fails the batch. {@link #close()} sends what is
 * queued, once each, until a batch fails or one export timeout has passed, then logs the counts.
 */
public final class OtlpExporter implements SpanSink, AutoCloseable {
    /** The longest a span waits for a batch to fill. */
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final int MAX_RETRIES = 3;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Between two warnings about failed exports: a collector that is down must not flood the log. */
    private static final long WARN_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    /** How many spans were sent, failed to send, and were dropped because the queue was full or closed. */
    public record Counts(long exported, long failed, long dropped) {}

    private final Supplier<TraceSettings> settings;
    private final LogSink log;
    private final ConcurrentLinkedQueue<Span> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object lifecycle = new Object();
    private volatile Thread worker;
    private volatile boolean closing;
    /** Set by {@link #close()}: the {@code nanoTime} by which the flush ends, however much is queued. */
    private volatile long flushDeadline;
    /** Worker thread only: the client, built for the connect timeout it has. */
    private HttpClient client;
    private Duration clientTimeout;
    private long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;

    /**
     * @param settings the settings in force (whether tracing is on is the tracer's business, not this one's); read
     *     on event loops, so it must be cheap: a field of the current snapshot
     */
    public OtlpExporter(Supplier<TraceSettings> settings, LogSink log) {
        this.settings = requireNonNull(settings, "settings");
        this.log = requireNonNull(log, "log");
    }

    @Override
    public void accept(Span span) {
        if (closing) {
            dropped.incrementAndGet();
            return;
        }
        int size = queued.incrementAndGet();
        TraceSettings now = settings.get();
        if (size > now.maxQueue()) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.add(span);
        Thread running = worker;
        if (running == null) {
            start();
        } else if (size >= now.batchSize()) {
            LockSupport.unpark(running);
        }
    }

    /** Starts the export thread, once: this is the only lock, taken by the first span (and a race with it). */
    private void start() {
        synchronized (lifecycle) {
            if (worker == null && !closing) {
                worker = Thread.ofPlatform().name("tollgate-span-export").daemon().start(this::run);
            }
        }
    }

    public Counts counts() {
        return new Counts(exported.get(), failed.get(), dropped.get());
    }

    private void run() {
        try {
            while (!closing) {
                if (queued.get() < settings.get().batchSize()) {
                    LockSupport.parkNanos(INTERVAL.toNanos());
                }
                TraceSettings now = settings.get();
                List<Span> batch = take(now.batchSize());
                if (!batch.isEmpty()) {
                    sendOrCount(batch, now, MAX_RETRIES, now.exportTimeout());
                }
            }
            // Closing: what is queued goes once, without retries, until a batch fails (the rest would too) or the
            // deadline passes, so that shutdown takes one export timeout at most whatever the queue holds.
            TraceSettings last = settings.get();
            List<Span> batch;
            long deadline = flushDeadline;
            while (deadline - System.nanoTime() > 0 && !(batch = take(last.batchSize())).isEmpty()) {
                Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
                if (!sendOrCount(batch, last, 0, min(last.exportTimeout(), left))) {
                    break;
                }
            }
            dropped.addAndGet(discardQueued());
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /** The client for {@code timeout}: a new one when a reload changed it (this thread is its only user). */
    private HttpClient client(Duration timeout) {
        if (client == null || !timeout.equals(clientTimeout)) {
            if (client != null) {
                client.close();
            }
            // HTTP/1.1: every OTLP/HTTP receiver speaks it, and a cleartext HTTP/2 upgrade would not help a batch.
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
            clientTimeout = timeout;
        }
        return client;
    }

    private List<Span> take(int batchSize) {
        var batch = new ArrayList<Span>(Math.min(queued.get(), batchSize));
        Span span;
        while (batch.size() < batchSize && (span = queue.poll()) != null) {
            queued.decrementAndGet();
            batch.add(span);
        }
        return batch;
    }

    /** Whatever is still queued, taken out and counted: spans the flush had no time for. */
    private int discardQueued() {
        int discarded = 0;
        while (queue.poll() != null) {
            queued.decrementAndGet();
            discarded++;
        }
        return discarded;
    }

    /**
     * Sends a batch, reporting whether it was exported; a failure of the exporter itself fails the batch, never
     * the thread that serves the rest.
     *
     * @param timeout for each request: the export timeout, or less when the flush on close has less time left
     */
    private boolean sendOrCount(List<Span> batch, TraceSettings now, int retries, Duration timeout) {
        try {
            return send(batch, now, retries, timeout);
        } catch (RuntimeException e) {
            failed.addAndGet(batch.size());
            warn("the exporter failed: " + e.getClass().getSimpleName(), target(now), batch.size());
            return false;
        }
    }

    private boolean send(List<Span> batch, TraceSettings now, int retries, Duration timeout) {
        URI target = target(now);
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpJson.encode(batch, now.serviceName())));
        for (Header h : now.headers()) {
            request.header(h.name(), h.value());
        }
        HttpRequest built = request.build();
        HttpClient http = client(now.exportTimeout());
        Duration backoff = FIRST_BACKOFF;
        String problem;
        for (int attempt = 0; ; attempt++) {
            Duration wait = null;
            try {
                HttpResponse<Void> response = http.send(built, HttpResponse.BodyHandlers.discarding());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    exported.addAndGet(batch.size());
                    return true;
                }
                problem = "the collector answered " + status;
                if (!(status == 429 || status == 502 || status == 503 || status == 504)) {
                    break;
                }
                wait = retryAfter(response);
                if (wait != null && wait.compareTo(MAX_BACKOFF) > 0) {
                    // Retrying sooner than asked would only be refused again; later would hold up every batch.
                    problem += " with Retry-After longer than " + MAX_BACKOFF.toSeconds() + "s";
                    break;
                }
            } catch (IOException e) {
                problem = "the collector cannot be reached: " + e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "interrupted";
                break;
            }
            if (attempt >= retries || closing) {
                break;
            }
            Duration pause = wait != null ? wait : backoff;
            LockSupport.parkNanos(pause.toNanos());
            if (closing) {
                break; // close() woke this thread: the batch waits for no retry, the flush takes over
            }
            backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
        }
        failed.addAndGet(batch.size());
        warn(problem, target, batch.size());
        return false;
    }

    /** Where a batch goes: the signal path under the collector's base URL. */
    static URI target(TraceSettings settings) {
        return URI.create(settings.endpoint() + "/v1/traces");
    }

    /** The collector's {@code Retry-After}, in seconds or as an HTTP date; null when absent or unreadable. */
    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(String::strip).map(v -> {
            try {
                long seconds = Long.parseLong(v);
                return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
            } catch (NumberFormatException e) {
                return RetryAfter.untilDate(v, Instant.now());
            }
        }).orElse(null);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void warn(String problem, URI target, int spans) {
        long now = System.nanoTime();
        if (now - lastWarning < WARN_EVERY_NANOS && !closing) {
            return;
        }
        lastWarning = now;
        Counts c = counts();
        log.write(LogSink.event(LogLevel.WARN, "tracing: spans could not be exported; " + problem)
                .field("endpoint", target.toString()).field("spans", spans).field("exported", c.exported())
                .field("failed", c.failed()).field("dropped", c.dropped()));
    }

    /**
     * Stops taking spans, sends those queued (each batch once, until one fails or one export timeout has passed;
     * the rest are dropped), and logs the counts. Called after the event loops stopped, so no span arrives
     * meanwhile. Returns within about two export timeouts: the request in flight, then the flush.
     */
    @Override
    public void close() {
        Thread running;
        Duration timeout = settings.get().exportTimeout();
        synchronized (lifecycle) {
            flushDeadline = System.nanoTime() + timeout.toNanos();
            closing = true;
            running = worker;
        }
        if (running == null) {
            return; // nothing was ever traced
        }
        LockSupport.unpark(running);
        try {
            running.join(timeout.multipliedBy(2).plusSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Counts c = counts();
        log.write(LogSink.event(LogLevel.INFO, "tracing: exporter stopped").field("exported", c.exported())
                .field("failed", c.failed()).field("dropped", c.dropped() + queued.get()));
    }
}
