package dev.tollgate.core.cache;

import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Gathers a streamed answer's canonical events into the complete answer, so a finished stream can be stored and
 * later serve a client that does not stream. Text deltas join into one text part; tool-call deltas join by their
 * index (id and name from the first delta, argument fragments appended). Single-threaded.
 *
 * <p>One made by {@link #keeping} holds at most so many characters of text and arguments together and drops the
 * rest (never half a surrogate pair), for a reader that wants only the beginning of a long stream.
 */
public final class AnswerAssembler {
    private final int maxChars;
    private int kept;
    private boolean cut;
    private String id = "";
    private String model = "";
    private long created;
    private final StringBuilder text = new StringBuilder();
    private final TreeMap<Integer, Call> calls = new TreeMap<>();
    private FinishReason finish;
    private Usage usage = Usage.UNKNOWN;
    private boolean failed;

    /** Keeps the whole answer. */
    public AnswerAssembler() {
        this(Integer.MAX_VALUE);
    }

    private AnswerAssembler(int maxChars) {
        this.maxChars = maxChars;
    }

    /** Keeps the first {@code maxChars} characters of text and tool-call arguments, together; see {@link #cut}. */
    public static AnswerAssembler keeping(int maxChars) {
        if (maxChars < 0) {
            throw new IllegalArgumentException("maxChars must not be negative");
        }
        return new AnswerAssembler(maxChars);
    }

    /** Whether text or arguments were dropped for want of room: the {@link #result} is then only a beginning. */
    public boolean cut() {
        return cut;
    }

    private static final class Call {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    public void accept(StreamEvent event) {
        switch (event) {
            case StreamEvent.Start s -> {
                id = s.id() == null ? id : s.id();
                model = s.model() == null ? model : s.model();
                created = s.created();
            }
            case StreamEvent.TextDelta t -> keep(text, t.text());
            case StreamEvent.ToolCallDelta d -> {
                Call call = calls.computeIfAbsent(d.index(), i -> new Call());
                call.id = d.id() != null ? d.id() : call.id;
                call.name = d.name() != null ? d.name() : call.name;
                if (d.argumentsFragment() != null) {
                    keep(call.arguments, d.argumentsFragment());
                }
            }
            case StreamEvent.UsageUpdate u -> usage = u.usage();
            case StreamEvent.Finish f -> finish = f.reason();
            case StreamEvent.Failure f -> failed = true;
        }
    }

    private void keep(StringBuilder into, String fragment) {
        int room = maxChars - kept;
        if (fragment.length() <= room) {
            into.append(fragment);
            kept += fragment.length();
            return;
        }
        int end = room > 0 && Character.isHighSurrogate(fragment.charAt(room - 1)) ? room - 1 : room;
        into.append(fragment, 0, end);
        kept = maxChars; // nothing after a gap: what is kept is one beginning
        cut = true;
    }

    /**
     * The answer, or null when the stream failed, never finished, or left a tool call without its id or name.
     *
     * @param fallbackModel named when the stream named no model
     * @param finalUsage the usage the exchange settled on (the provider's, or an estimate when it sent none)
     */
    public ChatResponse result(String fallbackModel, Usage finalUsage) {
        if (failed || finish == null) {
            return null;
        }
        List<Part> output = new ArrayList<>(1 + calls.size());
        if (!text.isEmpty()) {
            output.add(new Part.Text(text.toString()));
        }
        for (Call c : calls.values()) {
            if (c.id == null || c.name == null) {
                return null;
            }
            output.add(new Part.ToolCall(c.id, c.name, c.arguments.toString()));
        }
        return new ChatResponse(id, model.isEmpty() ? fallbackModel : model, created, output, finish,
                finalUsage == Usage.UNKNOWN ? usage : finalUsage);
    }
}
