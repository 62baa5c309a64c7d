package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.spi.Header;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Binds {@code tracing}: OpenTelemetry spans exported over OTLP/HTTP (JSON). Off unless the file turns it on. The
 * collector is the file's {@code endpoint}, else the standard {@value #ENDPOINT_ENV} variable, else the OTLP default
 * {@code http://localhost:4318}: the file wins because it is what an admin reviews, the variable is there for
 * platforms that inject it into every container.
 */
final class TracingSection {
    static final Set<String> KEYS = Set.of("enabled", "endpoint", "headers", "sample_ratio", "service_name",
            "export_timeout", "max_queue", "batch_size");
    /** The environment variable OpenTelemetry SDKs read for the collector's base URL. */
    static final String ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT";
    static final Duration MIN_EXPORT_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_EXPORT_TIMEOUT = Duration.ofMinutes(1);
    static final int MAX_QUEUE = 1_000_000;
    /** Written by the exporter itself, or refused by its HTTP client. */
    private static final Set<String> EXPORTER_HEADERS = Set.of("content-type", "content-encoding", "expect");
    private static final String EXAMPLE = "http://127.0.0.1:4318";

    private final SecretReferences secrets;
    private final Function<String, String> env;

    /** @param env looks up an environment variable, null when unset */
    TracingSection(SecretReferences secrets, Function<String, String> env) {
        this.secrets = requireNonNull(secrets, "secrets");
        this.env = requireNonNull(env, "env");
    }

    /** The section; {@link TraceSettings#OFF} where it is absent. */
    TraceSettings bind(MappingReader t, Diagnostics problems) {
        TraceSettings d = TraceSettings.OFF;
        boolean enabled = t.bool("enabled", d.enabled());
        URI endpoint = t.has("endpoint")
                ? t.parsed("endpoint", d.endpoint(), TracingSection::endpoint, "expected a URL such as " + EXAMPLE)
                : fromEnv(t, enabled, problems);
        List<Header> headers = HeaderEntries.read(t, secrets,
                lower -> EXPORTER_HEADERS.contains(lower) ? "is set by the exporter (OTLP/HTTP JSON)" : null, problems);
        double ratio = t.number("sample_ratio", d.sampleRatio(), 0, 1);
        String service = t.has("service_name")
                ? t.parsed("service_name", d.serviceName(), TracingSection::serviceName, "expected a name")
                : d.serviceName();
        Duration timeout = t.duration("export_timeout", d.exportTimeout(), MIN_EXPORT_TIMEOUT, MAX_EXPORT_TIMEOUT);
        int maxQueue = t.integer("max_queue", d.maxQueue(), 1, MAX_QUEUE);
        int batchSize = t.integer("batch_size", Math.min(d.batchSize(), maxQueue), 1, MAX_QUEUE);
        if (batchSize > maxQueue) {
            problems.error(t.origin("batch_size"), "batch_size (" + batchSize + ") cannot be larger than max_queue ("
                    + maxQueue + ")");
            batchSize = maxQueue;
        }
        return new TraceSettings(enabled, endpoint, headers, ratio, service, timeout, maxQueue, batchSize);
    }

    /**
     * The collector named by {@value #ENDPOINT_ENV}, or the default. The variable is read only while tracing is on:
     * a gateway that does not trace is never refused for a variable set for something else.
     */
    private URI fromEnv(MappingReader t, boolean enabled, Diagnostics problems) {
        String value = enabled ? env.apply(ENDPOINT_ENV) : null;
        if (value == null || value.isBlank()) {
            return TraceSettings.DEFAULT_ENDPOINT;
        }
        try {
            return endpoint(value.strip());
        } catch (IllegalArgumentException e) {
            problems.error(t.origin(), "environment variable " + ENDPOINT_ENV + " (the collector, as tracing.endpoint "
                    + "is not set) " + e.getMessage());
            return TraceSettings.DEFAULT_ENDPOINT;
        }
    }

    /** A collector's base URL: http or https, no query; a trailing slash is dropped, {@code /v1/traces} is added. */
    static URI endpoint(String text) {
        URI uri = HttpUrlSyntax.parse(text, EXAMPLE, "credentials in tracing.headers");
        if (uri.getRawQuery() != null) {
            throw new IllegalArgumentException("must not have a query (?...): it is a base URL, /v1/traces is added");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        boolean slash = path.endsWith("/");
        // Checked without the trailing slash, which is dropped: ".../v1/traces/" would become ".../v1/traces".
        if ((slash ? path.substring(0, path.length() - 1) : path).endsWith("/v1/traces")) {
            throw new IllegalArgumentException("is the collector's base URL, without /v1/traces (it is added)");
        }
        return slash ? URI.create(text.substring(0, text.lastIndexOf('/'))) : uri;
    }

    static String serviceName(String text) {
        if (text.isBlank() || text.length() > 256) {
            throw new IllegalArgumentException("expected a name of 1 to 256 characters");
        }
        return text;
    }
}
