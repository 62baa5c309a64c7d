package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.observe.trace.TraceSettings;
import dev.tollgate.core.spi.Header;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code tracing} section: defaults, every key, and where the collector's address comes from. */
class TracingConfigTest {

    private static TraceSettings tracing(String section, Map<String, String> env) {
        var all = new HashMap<>(Fixtures.ENV);
        all.putAll(env);
        var loader = new ConfigLoader(Fixtures.TYPES, all::get, new Fixtures.RecordingMocks());
        return loaded(loader.parse("t.yaml", Fixtures.MINIMAL + section)).snapshot().tracing();
    }

    @Test
    void offWithoutTheSection() {
        assertThat(tracing("", Map.of())).isEqualTo(TraceSettings.OFF);
    }

    @Test
    void readsEveryKey() {
        TraceSettings t = tracing("""
                tracing:
                  enabled: true
                  endpoint: https://otel.example.com:4318/base/
                  headers: { x-api-key: "${env:OPENAI_API_KEY}" }
                  sample_ratio: 0.25
                  service_name: gateway-eu
                  export_timeout: 2s
                  max_queue: 100
                  batch_size: 10
                """, Map.of());
        assertThat(t).isEqualTo(new TraceSettings(true, URI.create("https://otel.example.com:4318/base"),
                List.of(new Header("x-api-key", Fixtures.CANARY)), 0.25, "gateway-eu", Duration.ofSeconds(2), 100,
                10));
        assertThat(t.toString()).doesNotContain(Fixtures.CANARY);
    }

    @Test
    void theFileWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        var env = Map.of(TracingSection.ENDPOINT_ENV, "http://collector.internal:4318");
        assertThat(tracing("tracing: { enabled: true, endpoint: \"http://file:4318\" }\n", env).endpoint())
                .isEqualTo(URI.create("http://file:4318"));
        assertThat(tracing("tracing: { enabled: true }\n", env).endpoint())
                .isEqualTo(URI.create("http://collector.internal:4318"));
        assertThat(tracing("tracing: { enabled: true }\n", Map.of()).endpoint())
                .isEqualTo(TraceSettings.DEFAULT_ENDPOINT);
    }

    @Test
    void aBadVariableIsAProblemOnlyWhileTracingIsOn() {
        var env = Map.of(TracingSection.ENDPOINT_ENV, "otel:4317");
        assertThat(tracing("tracing: { enabled: false }\n", env).endpoint()).isEqualTo(TraceSettings.DEFAULT_ENDPOINT);
        var all = new HashMap<>(Fixtures.ENV);
        all.putAll(env);
        var loader = new ConfigLoader(Fixtures.TYPES, all::get, new Fixtures.RecordingMocks());
        assertThat(problems(loader.parse("t.yaml", Fixtures.MINIMAL + "tracing: { enabled: true }\n")))
                .containsExactly("t.yaml:9:10: tracing: environment variable OTEL_EXPORTER_OTLP_ENDPOINT (the "
                        + "collector, as tracing.endpoint is not set) expected an absolute http or https URL, such as "
                        + "http://127.0.0.1:4318");
    }
}
