package dev.tollgate.core.observe.trace;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.spi.Header;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The {@code tracing} section. Every setting applies on reload: {@link #enabled()} and {@link #sampleRatio()} to the
 * requests that arrive after it, the exporter's settings to the spans queued and the batches sent after it.
 *
 * @param endpoint the OTLP/HTTP collector's base URL; spans are posted to {@code <endpoint>/v1/traces}
 * @param headers sent with every export (a collector's or vendor's auth, say); values may be secrets
 * @param sampleRatio the share of traces started here that are recorded, 0..1; a request that arrives with a
 *     {@code traceparent} follows its sampled flag instead
 * @param serviceName the {@code service.name} resource attribute
 * @param exportTimeout how long one export request may take
 * @param maxQueue spans waiting for export beyond this are dropped (and counted)
 * @param batchSize the most spans in one export request
 */
public record TraceSettings(
        boolean enabled,
        URI endpoint,
        List<Header> headers,
        double sampleRatio,
        String serviceName,
        Duration exportTimeout,
        int maxQueue,
        int batchSize) {
    public static final URI DEFAULT_ENDPOINT = URI.create("http://localhost:4318");
    public static final String DEFAULT_SERVICE_NAME = "tollgate";
    public static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_QUEUE = 2048;
    public static final int DEFAULT_BATCH_SIZE = 512;

    /** Tracing off, every other setting at its default. */
    public static final TraceSettings OFF = new TraceSettings(false, DEFAULT_ENDPOINT, List.of(), 1.0,
            DEFAULT_SERVICE_NAME, DEFAULT_EXPORT_TIMEOUT, DEFAULT_MAX_QUEUE, DEFAULT_BATCH_SIZE);

    public TraceSettings {
        requireNonNull(endpoint, "endpoint");
        headers = List.copyOf(headers);
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new IllegalArgumentException("sampleRatio must be within 0..1: " + sampleRatio);
        }
        requireNonNull(serviceName, "serviceName");
        requireNonNull(exportTimeout, "exportTimeout");
        if (maxQueue < 1 || batchSize < 1) {
            throw new IllegalArgumentException("maxQueue and batchSize must be positive");
        }
    }

}
