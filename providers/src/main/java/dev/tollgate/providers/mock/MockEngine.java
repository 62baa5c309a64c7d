package dev.tollgate.providers.mock;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.EmbeddingRequest;
import dev.tollgate.core.model.EmbeddingResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.ResponseFormat;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.TokenEstimate;
import dev.tollgate.core.model.Tool;
import dev.tollgate.core.model.ToolChoice;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.runtime.MockProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The behaviour of a built-in mock provider as pure functions of the request and a {@link MockProfile}: answers
 * derived from the prompt (the same request always gets the same answer), tool calls whose arguments fit the tool's
 * schema, streams cut into the profile's chunks, embeddings, and faults drawn per request number from the profile's
 * seed. No I/O, no clock, no threads, no mutable state: thread-safe, and the mock server owns all timing.
 */
public final class MockEngine {

    /** Tokens an image costs, as OpenAI charges a low-detail one. */
    private static final MockFault NO_FAULT = new MockFault.None();
    private static final HexFormat HEX = HexFormat.of();

    private final MockProfile profile;

    public MockEngine(MockProfile profile) {
        this.profile = requireNonNull(profile, "profile");
    }

    public MockProfile profile() {
        return profile;
    }

    /**
     * The fault for the {@code requestNumber}-th request: {@link MockFault.Error} for a fraction {@code errorRate}
     * of request numbers, {@link MockFault.ResetAfter} for a further {@code resetRate}, else none. A given request
     * number always gets the same fault.
     */
    public MockFault fault(long requestNumber) {
        double draw = MockHash.unit(MockHash.nth(profile.seed(), requestNumber));
        if (draw < profile.errorRate()) {
            return new MockFault.Error(profile.errorStatus());
        }
        if (draw < profile.errorRate() + profile.resetRate()) {
            return new MockFault.ResetAfter(profile.resetAfterChunks());
        }
        return NO_FAULT;
    }

    /**
     * The answer to {@code request}: a call to one of its tools when it offers any (and {@code tool_choice} is not
     * none); else, when its response format is a JSON schema, a JSON object sampled from that schema (whole, as
     * strict structured outputs are, so a judge pointed at the mock gets a verdict that reads); else
     * {@code answerWords} words quoting the start of the last user message, cut at {@code max_tokens} (finish
     * reason length). Throws {@link GatewayException} when {@code tool_choice} names a tool not offered.
     */
    public ChatResponse answer(ChatRequest request, String id, long created) {
        long hash = MockHash.of(request);
        long input = TokenEstimate.input(request);
        if (!request.tools().isEmpty() && !(request.toolChoice() instanceof ToolChoice.None)) {
            Tool tool = chosenTool(request, hash);
            String arguments = SchemaSampler.sample(tool.parameters(), MockHash.mix(hash ^ MockHash.of(tool.name())));
            String callId = "call_" + HEX.toHexDigits(MockHash.nth(hash, 1)) + HEX.toHexDigits((int) MockHash.nth(hash, 2));
            return new ChatResponse(id, request.model(), created, List.of(new Part.ToolCall(callId, tool.name(), arguments)),
                    FinishReason.TOOL_CALLS, Usage.reported(input, TokenEstimate.text(arguments)));
        }
        if (request.responseFormat() instanceof ResponseFormat.JsonSchema format) {
            String json = SchemaSampler.sample(format.schema(), MockHash.mix(hash ^ MockHash.of(format.name())));
            return new ChatResponse(id, request.model(), created, List.of(new Part.Text(json)), FinishReason.STOP,
                    Usage.reported(input, TokenEstimate.text(json)));
        }
        Integer limit = request.sampling().maxTokens();
        int count = limit == null ? profile.answerWords() : Math.min(profile.answerWords(), limit);
        String text = String.join(" ", MockText.words(request.lastUserText(), hash, count));
        boolean capped = count < profile.answerWords();
        return new ChatResponse(id, request.model(), created, List.of(new Part.Text(capped ? text : text + ".")),
                capped ? FinishReason.LENGTH : FinishReason.STOP, Usage.reported(input, count));
    }

    private static Tool chosenTool(ChatRequest request, long hash) {
        if (request.toolChoice() instanceof ToolChoice.Named named) {
            for (Tool tool : request.tools()) {
                if (tool.name().equals(named.name())) {
                    return tool;
                }
            }
            throw new GatewayException(GatewayError.invalid("tool_choice", "invalid_value",
                    "Invalid 'tool_choice': no tool named '" + named.name() + "' is in 'tools'."));
        }
        return request.tools().get(MockHash.index(hash, request.tools().size()));
    }

    /**
     * The canonical events of streaming {@code response}: Start, the text in at most {@code chunks} deltas (cut
     * before spaces), or each tool call as a delta with its id and name followed by at most {@code chunks} argument
     * fragments; then Finish and the usage.
     */
    public List<StreamEvent> streamEvents(ChatResponse response, int chunks) {
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be at least 1: " + chunks);
        }
        var events = new ArrayList<StreamEvent>(chunks + 4);
        events.add(new StreamEvent.Start(response.id(), response.model(), response.created()));
        var text = new StringBuilder();
        for (Part part : response.output()) {
            if (part instanceof Part.Text t) {
                text.append(t.text());
            }
        }
        for (String piece : MockText.splitWords(text.toString(), chunks)) {
            events.add(new StreamEvent.TextDelta(0, piece));
        }
        int call = 0;
        for (Part part : response.output()) {
            if (part instanceof Part.ToolCall c) {
                events.add(new StreamEvent.ToolCallDelta(call, c.id(), c.name(), null));
                for (String fragment : MockText.splitChars(c.arguments(), chunks)) {
                    events.add(new StreamEvent.ToolCallDelta(call, null, null, fragment));
                }
                call++;
            }
        }
        events.add(new StreamEvent.Finish(response.finishReason()));
        events.add(new StreamEvent.UsageUpdate(response.usage()));
        return events;
    }

    /** The pause between two of {@code chunks} chunks so the answer streams at the profile's tokens per second. */
    public Duration chunkInterval(ChatResponse response, int chunks) {
        if (profile.tokensPerSecond() <= 0 || chunks < 1) {
            return Duration.ZERO;
        }
        double seconds = response.usage().outputTokens() / profile.tokensPerSecond() / chunks;
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /**
     * One unit-length vector per input, seeded by the input's text (the same text always gets the same vector), of
     * the requested size or the profile's. Usage counts estimated input tokens, reported as the provider's.
     */
    public EmbeddingResponse embed(EmbeddingRequest request) {
        int dimensions = request.dimensions() == null ? profile.embeddingDimensions() : request.dimensions();
        if (dimensions < 1) {
            throw new GatewayException(GatewayError.invalid("dimensions", "invalid_value",
                    "Invalid 'dimensions': expected at least 1, but got " + dimensions + "."));
        }
        var vectors = new ArrayList<float[]>(request.inputs().size());
        long tokens = 0;
        for (String input : request.inputs()) {
            vectors.add(unitVector(MockHash.mix(MockHash.of(input) + dimensions), dimensions));
            tokens += TokenEstimate.text(input);
        }
        return new EmbeddingResponse(request.model(), vectors, Usage.reported(tokens, 0));
    }

    private static float[] unitVector(long seed, int dimensions) {
        float[] vector = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            // Centred uniform draws, so any direction is possible.
            double x = MockHash.unit(MockHash.nth(seed, i)) * 2 - 1;
            vector[i] = (float) x;
            norm += x * x;
        }
        if (norm == 0) {
            // Every draw landed exactly on zero: astronomically unlikely, but a unit vector is promised.
            vector[0] = 1;
            return vector;
        }
        double scale = 1 / Math.sqrt(norm);
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) (vector[i] * scale);
        }
        return vector;
    }
}
