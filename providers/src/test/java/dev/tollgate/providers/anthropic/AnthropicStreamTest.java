package dev.tollgate.providers.anthropic;

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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stream encoder's goldens and behaviour, and the encoder-to-decoder round trip. */
class AnthropicStreamTest {

    private static final long CREATED = AnthropicAdapterTest.NOW.getEpochSecond();
    private final AnthropicDialect dialect = new AnthropicDialect();
    private final AnthropicAdapter adapter = new AnthropicAdapter(Clock.fixed(AnthropicAdapterTest.NOW, ZoneOffset.UTC));

    static ChatRequest request() {
        return new ChatRequest("claude-sonnet", List.of(Message.text(Role.USER, "hi")), Sampling.DEFAULTS, List.of(), null,
                null, true, true, null, Map.of(), AnthropicDialect.ID);
    }

    private static String encodeAll(StreamEncoder encoder, List<StreamEvent> events) {
        var out = new StringBuilder();
        for (StreamEvent event : events) {
            out.append(new String(encoder.encode(event), StandardCharsets.UTF_8));
        }
        return out.append(new String(encoder.end(), StandardCharsets.UTF_8)).toString();
    }

    private static String golden(String name) {
        return new String(AnthropicDialectTest.fixture(name), StandardCharsets.UTF_8);
    }

    @Test
    void textStreamMatchesTheGolden() {
        // Usage after the finish, as OpenAI's include_usage chunk sends it: it still reaches message_delta.
        List<StreamEvent> events = List.of(
                new StreamEvent.Start("chatcmpl-x", "gpt-4o-2024-08-06", 1741570480),
                new StreamEvent.TextDelta(0, "Hello"),
                new StreamEvent.TextDelta(0, " world"),
                new StreamEvent.Finish(FinishReason.STOP),
                new StreamEvent.UsageUpdate(new Usage(120, 8, 64, 0, 0, true)));
        assertThat(encodeAll(dialect.streamEncoder(request(), "msg_tg_2"), events)).isEqualTo(golden("stream-text.expected.sse"));
    }

    @Test
    void toolStreamMatchesTheGolden() {
        List<StreamEvent> events = List.of(
                new StreamEvent.Start("chatcmpl-y", "gpt-4o-2024-08-06", 1741570480),
                new StreamEvent.TextDelta(0, "Checking."),
                new StreamEvent.ToolCallDelta(0, "call_1", "get_weather", ""),
                new StreamEvent.ToolCallDelta(0, null, null, "{\"city\""),
                new StreamEvent.ToolCallDelta(0, null, null, ":\"Paris\"}"),
                new StreamEvent.ToolCallDelta(1, "call_2", "get_time", "{\"tz\":\"CET\"}"),
                new StreamEvent.UsageUpdate(Usage.reported(90, 40)),
                new StreamEvent.Finish(FinishReason.TOOL_CALLS));
        assertThat(encodeAll(dialect.streamEncoder(request(), "msg_tg_3"), events)).isEqualTo(golden("stream-tool-use.expected.sse"));
    }

    @Test
    void messageStartComesBeforeTheFirstContentWhenNoStartWasSent() {
        StreamEncoder encoder = dialect.streamEncoder(request(), "msg_1");
        String first = new String(encoder.encode(new StreamEvent.TextDelta(0, "Hi")), StandardCharsets.UTF_8);
        assertThat(first).startsWith("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"")
                .contains("\"model\":\"claude-sonnet\"")
                .contains("event: content_block_start").contains("\"text\":\"Hi\"");
        assertThat(encoder.encode(new StreamEvent.Start("x", "late-model", 1))).isEmpty();
    }

    @Test
    void anEmptyStreamIsStillACompleteMessage() {
        String all = encodeAll(dialect.streamEncoder(request(), "msg_e"), List.of());
        assertThat(frames(all)).extracting(SseEvent::event).containsExactly("message_start", "message_delta", "message_stop");
        assertThat(all).contains("\"stop_reason\":\"end_turn\"").contains("\"usage\":{\"output_tokens\":0}");
    }

    @Test
    void withoutAFinishToolCallsEndAsToolUse() {
        String all = encodeAll(dialect.streamEncoder(request(), "m"),
                List.of(new StreamEvent.ToolCallDelta(0, "c", "f", "{}")));
        assertThat(all).contains("\"stop_reason\":\"tool_use\"");
    }

    @Test
    void emptyTextAndRepeatedIdsOpenNoBlocks() {
        // Some compatible servers repeat the id and name in every piece of a call.
        String all = encodeAll(dialect.streamEncoder(request(), "m"), List.of(
                new StreamEvent.TextDelta(0, ""),
                new StreamEvent.ToolCallDelta(0, "c", "f", "{\"a\":"),
                new StreamEvent.ToolCallDelta(0, "c", "f", "1}")));
        assertThat(frames(all)).extracting(SseEvent::event).containsExactly("message_start", "content_block_start",
                "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop");
    }

    @Test
    void aCallWithoutAnIdGetsOneMadeFromTheResponseId() {
        String all = encodeAll(dialect.streamEncoder(request(), "msg_9"), List.of(new StreamEvent.ToolCallDelta(2, null, null, "{}")));
        assertThat(all).contains("\"id\":\"toolu_msg_9_2\",\"name\":\"\"");
    }

    @Test
    void failureIsTheLastThingWritten() {
        StreamEncoder encoder = dialect.streamEncoder(request(), "m");
        encoder.encode(new StreamEvent.TextDelta(0, "partial"));
        byte[] failure = encoder.encode(new StreamEvent.Failure(GatewayError.of(ErrorKind.PROVIDER_OVERLOADED, "Overloaded")));
        assertThat(new String(failure, StandardCharsets.UTF_8)).isEqualTo("event: error\ndata: {\"type\":\"error\","
                + "\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
        assertThat(encoder.encode(new StreamEvent.TextDelta(0, "late"))).isEmpty();
        assertThat(encoder.end()).isEmpty();
        assertThat(encoder.fail(GatewayError.of(ErrorKind.INTERNAL, "again"))).isEmpty();
    }

    @Test
    void failAfterEndWritesNothing() {
        StreamEncoder encoder = dialect.streamEncoder(request(), "m");
        assertThat(encoder.end()).isNotEmpty();
        assertThat(encoder.fail(GatewayError.of(ErrorKind.INTERNAL, "late"))).isEmpty();
        assertThat(encoder.end()).isEmpty();
    }

    // ---- round trip ---------------------------------------------------------------------------------------------

    private static List<SseEvent> frames(String sse) {
        return ProviderAdapterContract.sseEvents(sse);
    }

    private List<StreamEvent> roundTrip(List<StreamEvent> events, String responseId) {
        String sse = encodeAll(dialect.streamEncoder(request(), responseId), events);
        StreamDecoder decoder = adapter.streamDecoder();
        var decoded = new ArrayList<StreamEvent>();
        for (SseEvent frame : frames(sse)) {
            decoded.addAll(decoder.onEvent(frame));
        }
        decoded.addAll(decoder.onComplete());
        return decoded;
    }

    private static List<StreamEvent> content(List<StreamEvent> events) {
        return events.stream().filter(StreamEvent::isContent).toList();
    }

    private static Usage lastUsage(List<StreamEvent> events) {
        Usage usage = null;
        for (StreamEvent event : events) {
            if (event instanceof StreamEvent.UsageUpdate u) {
                usage = u.usage();
            }
        }
        return usage;
    }

    @Test
    void textAndToolCallsSurviveTheRoundTrip() {
        Usage usage = new Usage(2200, 310, 2048, 100, 40, true);
        List<StreamEvent> events = List.of(
                new StreamEvent.Start("msg_rt", "claude-sonnet-4-5-20250929", CREATED),
                new StreamEvent.TextDelta(0, "Let me look: café \"quoted\" \\ 😀\n"),
                new StreamEvent.TextDelta(0, "two calls."),
                new StreamEvent.ToolCallDelta(0, "toolu_A", "get_weather", ""),
                new StreamEvent.ToolCallDelta(0, null, null, "{\"city\": \"Par"),
                new StreamEvent.ToolCallDelta(0, null, null, "is\", \"note\": \"\\u00e9\\\"\"}"),
                new StreamEvent.ToolCallDelta(1, "toolu_B", "get_time", ""),
                new StreamEvent.ToolCallDelta(1, null, null, "{}"),
                new StreamEvent.Finish(FinishReason.TOOL_CALLS),
                new StreamEvent.UsageUpdate(usage));
        List<StreamEvent> decoded = roundTrip(events, "msg_rt");
        assertThat(decoded.getFirst()).isEqualTo(events.getFirst());
        assertThat(content(decoded)).isEqualTo(content(events));
        assertThat(lastUsage(decoded)).isEqualTo(usage);
        assertThat(decoded).noneMatch(e -> e instanceof StreamEvent.Failure);
    }

    /** Random texts and argument splits (first pieces with and without arguments): the argument bytes come back. */
    @Test
    void argumentBytesAreIdenticalForRandomSplits() {
        var random = new Random(11);
        String alphabet = "{}[]\":,\\ aé😀\n\tx0";
        for (int round = 0; round < 200; round++) {
            var events = new ArrayList<StreamEvent>();
            var arguments = new ArrayList<StringBuilder>();
            if (random.nextBoolean()) {
                events.add(new StreamEvent.TextDelta(0, "t" + round));
            }
            int calls = 1 + random.nextInt(3);
            for (int call = 0; call < calls; call++) {
                var sent = new StringBuilder();
                String first = random.nextBoolean() ? "" : randomText(random, alphabet);
                events.add(new StreamEvent.ToolCallDelta(call, "toolu_" + call, "f" + call, first));
                sent.append(first);
                for (int piece = random.nextInt(5); piece > 0; piece--) {
                    String fragment = randomText(random, alphabet);
                    events.add(new StreamEvent.ToolCallDelta(call, null, null, fragment));
                    sent.append(fragment);
                }
                arguments.add(sent);
            }
            events.add(new StreamEvent.Finish(FinishReason.TOOL_CALLS));
            List<StreamEvent> decoded = roundTrip(events, "msg_" + round);
            for (int call = 0; call < calls; call++) {
                var received = new StringBuilder();
                for (StreamEvent event : decoded) {
                    if (event instanceof StreamEvent.ToolCallDelta d && d.index() == call) {
                        if (d.id() != null) {
                            assertThat(d.id()).isEqualTo("toolu_" + call);
                            assertThat(d.name()).isEqualTo("f" + call);
                        }
                        received.append(d.argumentsFragment());
                    }
                }
                assertThat(received.toString()).as("round %d call %d", round, call).isEqualTo(arguments.get(call).toString());
            }
            assertThat(decoded.getLast()).isInstanceOf(StreamEvent.UsageUpdate.class);
        }
    }

    private static String randomText(Random random, String alphabet) {
        var out = new StringBuilder();
        for (int i = 1 + random.nextInt(6); i > 0; i--) {
            int at = random.nextInt(alphabet.length());
            // Keep surrogate pairs whole: the emoji is two chars.
            if (Character.isLowSurrogate(alphabet.charAt(at))) {
                at--;
            }
            out.append(Character.isHighSurrogate(alphabet.charAt(at)) ? alphabet.substring(at, at + 2) : alphabet.charAt(at));
        }
        return out.toString();
    }

    @Test
    void aFailureSurvivesTheRoundTripAsAFailureOfTheSameKind() {
        List<StreamEvent> decoded = roundTrip(List.of(new StreamEvent.TextDelta(0, "a"),
                new StreamEvent.Failure(GatewayError.of(ErrorKind.PROVIDER_RATE_LIMITED, "slow down"))), "m");
        assertThat(decoded.getLast()).isInstanceOfSatisfying(StreamEvent.Failure.class, f -> {
            assertThat(f.error().kind()).isEqualTo(ErrorKind.PROVIDER_RATE_LIMITED);
            assertThat(f.error().message()).isEqualTo("slow down");
        });
    }
}
