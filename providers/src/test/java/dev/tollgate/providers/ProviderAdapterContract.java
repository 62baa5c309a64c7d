package dev.tollgate.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.RawJson;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import dev.tollgate.core.quota.Limits;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.routing.Provider;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import dev.tollgate.core.spi.ProviderAdapter;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.core.spi.UpstreamReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * What every provider adapter must do, checked against its golden fixtures under {@code fixtures/<dir>/}:
 * <ul>
 *   <li>{@code request.json} / {@code request-stream.json}: the upstream body for {@link #canonicalRequest}, compared as
 *       JSON trees;</li>
 *   <li>each {@link #replies()} fixture parses into the expected canonical response;</li>
 *   <li>each {@code <name>.sse} transcript decodes (then completes) into the events listed, one {@code toString()}
 *       per line, in {@code <name>.events};</li>
 *   <li>{@link #classifyCases()} map error replies to the expected kind, status and Retry-After.</li>
 * </ul>
 * A subclass per adapter supplies the adapter, its fixture directory and its tables.
 */
public abstract class ProviderAdapterContract {

    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final String API_KEY = "sk-test-0123456789abcdef";

    /** The adapter under test. */
    protected abstract ProviderAdapter adapter();

    /** The directory under {@code src/test/resources/fixtures}. */
    protected abstract String fixtureDir();

    /** Transcript names: {@code <name>.sse} and {@code <name>.events} in the fixture directory. */
    protected abstract List<String> transcripts();

    /** Reply fixture name (a 2xx body in the fixture directory) to the response it must parse into. */
    protected abstract Map<String, ChatResponse> replies();

    protected abstract List<ClassifyCase> classifyCases();

    /** One error reply and what it must classify as; {@code retryAfter} null means none. */
    public record ClassifyCase(String name, int status, Map<String, String> headers, String body, ErrorKind kind,
                               int httpStatus, Duration retryAfter) {}

    /** The deployment requests are prepared for: upstream model {@code gpt-4o-2024-08-06} at a test base URL. */
    protected Deployment deployment() {
        var provider = new Provider("primary", adapter().type(), URI.create("https://upstream.test/v1"),
                new Secret("${env:TEST_KEY}", API_KEY), "authorization",
                List.of(new Header("openai-organization", "org-test")), Timeouts.DEFAULTS, null, null);
        return new Deployment("public-model/primary/gpt-4o-2024-08-06", provider, "gpt-4o-2024-08-06", 1, Limits.NONE);
    }

    /**
     * The request the golden-body checks prepare: {@link #canonicalRequest} unless a provider needs a variant of it
     * (one that cannot fetch images by URL gets them inline).
     */
    protected ChatRequest request(boolean stream) {
        return canonicalRequest(stream);
    }

    /** A request using every canonical feature: roles, images, tool calls and results, sampling, tools, formats. */
    public static ChatRequest canonicalRequest(boolean stream) {
        return new ChatRequest(
                "public-model",
                List.of(
                        Message.text(Role.SYSTEM, "You are terse."),
                        new Message(Role.USER, List.of(
                                new Part.Text("What is in this picture, and what's the weather there?"),
                                new Part.Image("https://example.com/paris.jpg", "low")), "alice"),
                        new Message(Role.ASSISTANT, List.of(
                                new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")), null),
                        new Message(Role.TOOL, List.of(new Part.ToolResult("call_1", "{\"temp_c\":18}")), null)),
                new Sampling(0.2, 0.9, 256, List.of("END"), 7L, 0.1, 0.2, 1),
                List.of(new Tool("get_weather", "Current weather for a city", new RawJson(
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"))),
                new ToolChoice.Auto(),
                new ResponseFormat.Text(),
                stream,
                false,
                "user-42",
                Map.of(),
                "openai");
    }

    protected static byte[] fixture(String path) {
        try (InputStream in = ProviderAdapterContract.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected byte[] own(String name) {
        return fixture(fixtureDir() + "/" + name);
    }

    /** The server-sent events of a transcript (WHATWG framing: blank-line separated, data lines joined by LF). */
    public static List<SseEvent> sseEvents(String transcript) {
        var events = new ArrayList<SseEvent>();
        for (String block : transcript.replace("\r\n", "\n").split("\n\n")) {
            var data = new ArrayList<String>();
            String event = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("data:")) {
                    data.add(line.substring(line.startsWith("data: ") ? 6 : 5));
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                }
            }
            if (!data.isEmpty()) {
                events.add(new SseEvent(event, String.join("\n", data), null));
            }
        }
        return events;
    }

    /** Every event a fresh decoder produces for the transcript, completion included. */
    protected List<StreamEvent> decode(String transcript) {
        StreamDecoder decoder = adapter().streamDecoder();
        var events = new ArrayList<StreamEvent>();
        for (SseEvent event : sseEvents(transcript)) {
            events.addAll(decoder.onEvent(event));
        }
        events.addAll(decoder.onComplete());
        return events;
    }

    @Test
    void prepareWritesTheGoldenBody() throws IOException {
        UpstreamCall call = adapter().prepare(request(false), deployment());
        assertThat(JSON.readTree(call.body())).isEqualTo(JSON.readTree(own("request.json")));
    }

    @Test
    void prepareWritesTheGoldenStreamingBody() throws IOException {
        UpstreamCall call = adapter().prepare(request(true), deployment());
        assertThat(JSON.readTree(call.body())).isEqualTo(JSON.readTree(own("request-stream.json")));
    }

    @Test
    void prepareAimsAtTheConfiguredProviderWithItsCredentials() {
        UpstreamCall call = adapter().prepare(request(false), deployment());
        URI base = deployment().provider().baseUrl();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.uri().getScheme()).isEqualTo(base.getScheme());
        assertThat(call.uri().getHost()).isEqualTo(base.getHost());
        assertThat(call.uri().getPath()).startsWith(base.getPath());
        assertThat(call.headers()).containsAll(deployment().provider().authHeaders());
        assertThat(call.toString()).doesNotContain(API_KEY);
    }

    @TestFactory
    Stream<DynamicTest> parseReadsCapturedReplies() {
        return replies().entrySet().stream().map(e -> dynamicTest(e.getKey(), () -> {
            ChatResponse parsed = adapter().parse(new UpstreamReply(200, Map.of("content-type", "application/json"),
                    own(e.getKey())));
            assertThat(parsed).usingRecursiveComparison().isEqualTo(e.getValue());
        }));
    }

    @TestFactory
    Stream<DynamicTest> streamTranscriptsDecodeToTheExpectedEvents() {
        return transcripts().stream().map(name -> dynamicTest(name, () -> {
            String transcript = new String(own(name + ".sse"), StandardCharsets.UTF_8);
            List<String> expected = new String(own(name + ".events"), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank())
                    .toList();
            assertThat(decode(transcript)).map(Object::toString).containsExactlyElementsOf(expected);
        }));
    }

    @Test
    void aStreamWithoutItsTerminalMarkerEndsInFailure() {
        List<StreamEvent> events = adapter().streamDecoder().onComplete();
        assertThat(events).singleElement().isInstanceOf(StreamEvent.Failure.class);
    }

    @TestFactory
    Stream<DynamicTest> classifyMapsErrorReplies() {
        return classifyCases().stream().map(c -> dynamicTest(c.name(), () -> {
            GatewayError error = adapter().classify(
                    new UpstreamReply(c.status(), c.headers(), c.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(error.kind()).as("kind").isEqualTo(c.kind());
            assertThat(error.httpStatus()).as("status").isEqualTo(c.httpStatus());
            assertThat(error.retryAfter()).as("retry after").isEqualTo(c.retryAfter());
            assertThat(error.message()).as("message").isNotBlank().doesNotContain(API_KEY);
        }));
    }

    /** A JSON tree of text, for comparisons that ignore formatting. */
    protected static JsonNode tree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
