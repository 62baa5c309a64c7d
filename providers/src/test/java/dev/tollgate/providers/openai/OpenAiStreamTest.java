package dev.tollgate.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.spi.SseEvent;
import dev.tollgate.core.spi.StreamDecoder;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.providers.ProviderAdapterContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client-side stream encoder against goldens, and the byte-level usage stripping the passthrough relay does. */
class OpenAiStreamTest {

    private final OpenAiDialect dialect = new OpenAiDialect();

    static ChatRequest request(boolean includeUsage) {
        return new ChatRequest("gpt-4o-mini", List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, List.of(),
                null, null, true, includeUsage, null, Map.of(), "openai");
    }

    static String golden(String name) throws IOException {
        return new String(OpenAiDialectTest.fixture(name), StandardCharsets.UTF_8);
    }

    static String encodeAll(StreamEncoder encoder, List<StreamEvent> events) {
        var out = new ByteArrayOutputStream();
        for (StreamEvent event : events) {
            out.writeBytes(encoder.encode(event));
        }
        out.writeBytes(encoder.end());
        return out.toString(StandardCharsets.UTF_8);
    }

    static final List<StreamEvent> TEXT = List.of(
            new StreamEvent.Start("upstream-id", "gpt-4o-mini-2024-07-18", 1741569952),
            new StreamEvent.TextDelta(0, "Hello"),
            new StreamEvent.UsageUpdate(Usage.reported(1, 1)),
            new StreamEvent.TextDelta(0, " wörld \"quoted\"\n"),
            new StreamEvent.Finish(FinishReason.STOP),
            new StreamEvent.UsageUpdate(new Usage(19, 10, 3, 0, 2, true)));

    @Test
    void textStreamWithoutUsageMatchesTheGolden() throws IOException {
        String encoded = encodeAll(dialect.streamEncoder(request(false), "chatcmpl-tg-1"), TEXT);
        assertThat(encoded).isEqualTo(golden("stream-text.expected.sse"));
    }

    @Test
    void textStreamWithUsageMatchesTheGolden() throws IOException {
        String encoded = encodeAll(dialect.streamEncoder(request(true), "chatcmpl-tg-1"), TEXT);
        assertThat(encoded).isEqualTo(golden("stream-text-usage.expected.sse"));
    }

    @Test
    void toolCallStreamMatchesTheGolden() throws IOException {
        List<StreamEvent> events = List.of(
                new StreamEvent.Start("x", "gpt-4o-2024-08-06", 1741570480),
                new StreamEvent.ToolCallDelta(0, "call_1", "get_weather", null),
                new StreamEvent.ToolCallDelta(0, null, null, "{\"city\""),
                new StreamEvent.ToolCallDelta(0, null, null, ":\"Paris\"}"),
                new StreamEvent.Finish(FinishReason.TOOL_CALLS));
        assertThat(encodeAll(dialect.streamEncoder(request(false), "chatcmpl-tg-2"), events))
                .isEqualTo(golden("stream-tool-call.expected.sse"));
    }

    @Test
    void contentBeforeStartStillOpensWithTheRoleChunk() {
        String encoded = encodeAll(dialect.streamEncoder(request(false), "r"),
                List.of(new StreamEvent.TextDelta(0, "a"), new StreamEvent.Finish(FinishReason.STOP)));
        List<String> frames = Arrays.asList(encoded.split("\n\n"));
        assertThat(frames).hasSize(4);
        assertThat(frames.getFirst()).contains("\"role\":\"assistant\"").contains("\"model\":\"gpt-4o-mini\"");
    }

    @Test
    void usageAskedForButNeverReportedEndsWithDoneOnly() {
        StreamEncoder encoder = dialect.streamEncoder(request(true), "r");
        encoder.encode(new StreamEvent.Start("x", "m", 1));
        assertThat(new String(encoder.end(), StandardCharsets.US_ASCII)).isEqualTo("data: [DONE]\n\n");
    }

    @Test
    void failureIsTheLastThingWritten() {
        StreamEncoder encoder = dialect.streamEncoder(request(false), "r");
        encoder.encode(new StreamEvent.Start("x", "m", 1));
        byte[] failure = encoder.encode(new StreamEvent.Failure(
                GatewayError.of(ErrorKind.PROVIDER_ERROR, "upstream stream ended before [DONE]")));
        assertThat(new String(failure, StandardCharsets.UTF_8)).isEqualTo(
                "data: {\"error\":{\"message\":\"upstream stream ended before [DONE]\",\"type\":\"api_error\","
                        + "\"param\":null,\"code\":\"upstream_error\"}}\n\n");
        assertThat(encoder.encode(new StreamEvent.TextDelta(0, "late"))).isEmpty();
        assertThat(encoder.end()).isEmpty();
        assertThat(encoder.fail(GatewayError.of(ErrorKind.INTERNAL, "again"))).isEmpty();
    }

    @Test
    void failAfterEndWritesNothing() {
        StreamEncoder encoder = dialect.streamEncoder(request(false), "r");
        assertThat(encoder.end()).isNotEmpty();
        assertThat(encoder.fail(GatewayError.of(ErrorKind.INTERNAL, "late"))).isEmpty();
    }

    @Test
    void nullUsageSuffixIsFoundOnlyAtTheEnd() {
        assertThat(OpenAiChunks.nullUsageSuffixStart(bytes("{\"a\":1,\"usage\":null}"))).isEqualTo(6);
        assertThat(OpenAiChunks.nullUsageSuffixStart(bytes("{\"a\":1,\"usage\":null}\n\n"))).isEqualTo(6);
        assertThat(OpenAiChunks.nullUsageSuffixStart(bytes(",\"usage\":null}"))).isZero();
        assertThat(OpenAiChunks.nullUsageSuffixStart(bytes("{\"usage\":null,\"a\":1}"))).isEqualTo(-1);
        assertThat(OpenAiChunks.nullUsageSuffixStart(bytes("{\"a\":1,\"usage\":{\"prompt_tokens\":1}}"))).isEqualTo(-1);
        assertThat(OpenAiChunks.nullUsageSuffixStart(bytes("{\"a\":1}"))).isEqualTo(-1);
        assertThat(OpenAiChunks.nullUsageSuffixStart(bytes("\"usage\":null}"))).isEqualTo(-1);
        assertThat(OpenAiChunks.nullUsageSuffixStart(bytes(""))).isEqualTo(-1);
        assertThat(OpenAiChunks.nullUsageSuffixStart(bytes("   "))).isEqualTo(-1);
        byte[] partial = bytes("{\"a\":1,\"usage\":null}{\"b\":2}");
        assertThat(OpenAiChunks.nullUsageSuffixStart(partial, 20)).isEqualTo(6);
    }

    /**
     * What the passthrough relay does for a client that did not ask for usage, on a real include_usage transcript:
     * the adapter's decoder names the usage chunk (a lone usage update) and {@code nullUsageSuffixStart} the bytes
     * to cut. The result must be the stream OpenAI sends without include_usage: no usage anywhere, same chunks.
     */
    @Test
    void strippingUsageGivesTheStreamOpenAiSendsWithoutIt() throws IOException {
        String transcript = golden("usage.sse");
        StreamDecoder decoder = new OpenAiAdapter().streamDecoder();
        var relayed = new StringBuilder();
        int chunks = 0;
        for (SseEvent event : ProviderAdapterContract.sseEvents(transcript)) {
            List<StreamEvent> events = decoder.onEvent(event);
            if (events.size() == 1 && events.getFirst() instanceof StreamEvent.UsageUpdate) {
                continue;
            }
            byte[] data = bytes(event.data());
            int cut = OpenAiChunks.nullUsageSuffixStart(data);
            String kept = cut < 0 ? event.data()
                    : new String(data, 0, cut, StandardCharsets.UTF_8)
                            + new String(data, cut + OpenAiChunks.NULL_USAGE.length, data.length - cut - OpenAiChunks.NULL_USAGE.length, StandardCharsets.UTF_8);
            relayed.append("data: ").append(kept).append("\n\n");
            chunks++;
        }
        assertThat(relayed.toString()).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
        assertThat(chunks).isEqualTo(8);
        assertThat(transcript.replace(",\"usage\":null}", "}"))
                .startsWith(relayed.substring(0, relayed.indexOf("\"finish_reason\":\"stop\"")));
    }

    /** The same property for the gateway's own encoder: with usage asked for and stripped, it equals without usage. */
    @Test
    void encoderOutputWithUsageStrippedEqualsOutputWithout() {
        String with = encodeAll(dialect.streamEncoder(request(true), "id"), TEXT);
        String without = encodeAll(dialect.streamEncoder(request(false), "id"), TEXT);
        var stripped = new StringBuilder();
        for (String frame : with.split("\n\n")) {
            if (frame.contains("\"choices\":[]")) {
                continue;
            }
            byte[] data = bytes(frame);
            int cut = OpenAiChunks.nullUsageSuffixStart(data);
            stripped.append(cut < 0 ? frame : new String(data, 0, cut, StandardCharsets.UTF_8) + "}").append("\n\n");
        }
        assertThat(stripped.toString()).isEqualTo(without);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
