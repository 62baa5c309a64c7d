package dev.tollgate.server.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.core.observe.trace.Attribute;
import dev.tollgate.core.observe.trace.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Encodes spans as an OTLP {@code ExportTraceServiceRequest} in the protobuf JSON mapping as OTLP/HTTP defines
 * it: field names in lowerCamelCase, trace and span ids as hex (not base64), 64-bit integers (times, int
 * attributes) as decimal strings, enums (span kind, status code) as numbers. One resource (the gateway, by its
 * {@code service.name}) and one instrumentation scope hold every span of a batch.
 */
final class OtlpJson {
    /** The instrumentation scope: the gateway instruments itself. */
    static final String SCOPE = "dev.tollgate";

    private static final JsonFactory JSON = new JsonFactory();

    private OtlpJson() {}

    static byte[] encode(List<Span> spans, String serviceName) {
        var out = new ByteArrayOutputStream(256 + spans.size() * 1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("resourceSpans");
            g.writeStartObject();
            g.writeObjectFieldStart("resource");
            g.writeArrayFieldStart("attributes");
            attribute(g, new Attribute("service.name", serviceName));
            g.writeEndArray();
            g.writeEndObject();
            g.writeArrayFieldStart("scopeSpans");
            g.writeStartObject();
            g.writeObjectFieldStart("scope");
            g.writeStringField("name", SCOPE);
            g.writeEndObject();
            g.writeArrayFieldStart("spans");
            for (Span span : spans) {
                span(g, span);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    private static void span(JsonGenerator g, Span s) throws IOException {
        g.writeStartObject();
        g.writeStringField("traceId", s.context().traceIdHex());
        g.writeStringField("spanId", s.context().spanIdHex());
        if (s.context().traceState() != null) {
            g.writeStringField("traceState", s.context().traceState());
        }
        if (s.parentSpanIdHex() != null) {
            g.writeStringField("parentSpanId", s.parentSpanIdHex());
        }
        g.writeStringField("name", s.name());
        g.writeNumberField("kind", s.kind().otlp());
        g.writeStringField("startTimeUnixNano", Long.toUnsignedString(s.startEpochNanos()));
        g.writeStringField("endTimeUnixNano", Long.toUnsignedString(s.endEpochNanos()));
        g.writeArrayFieldStart("attributes");
        for (Attribute a : s.attributes()) {
            attribute(g, a);
        }
        g.writeEndArray();
        if (s.status() != Span.Status.UNSET) {
            g.writeObjectFieldStart("status");
            g.writeNumberField("code", s.status().otlp());
            if (s.statusMessage() != null) {
                g.writeStringField("message", s.statusMessage());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void attribute(JsonGenerator g, Attribute a) throws IOException {
        g.writeStartObject();
        g.writeStringField("key", a.key());
        g.writeFieldName("value");
        value(g, a.value());
        g.writeEndObject();
    }

    private static void value(JsonGenerator g, Object value) throws IOException {
        g.writeStartObject();
        switch (value) {
            case String s -> g.writeStringField("stringValue", s);
            case Long l -> g.writeStringField("intValue", Long.toString(l));
            case Double d -> g.writeNumberField("doubleValue", d);
            case Boolean b -> g.writeBooleanField("boolValue", b);
            case List<?> list -> {
                g.writeObjectFieldStart("arrayValue");
                g.writeArrayFieldStart("values");
                for (Object item : list) {
                    value(g, item);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            default -> throw new IllegalArgumentException("not an attribute value: " + value.getClass());
        }
        g.writeEndObject();
    }
}
