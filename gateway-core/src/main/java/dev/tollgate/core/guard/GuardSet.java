package dev.tollgate.core.guard;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * The guardrails that apply to one request (those of its model group, key and team, each once), and the screening
 * of its request, its answer, or its stream. Immutable; the screenings are pure and run on the caller's thread.
 *
 * <p>What is read: every message's text and tool results for PII and deny lists (a request's history leaks as much
 * as its last turn); user messages and tool results only for injection (system and developer messages are the
 * application's own instructions, which legitimately say "you are..."); the last user message for topics. Images
 * and tool-call arguments are not read.
 */
public final class GuardSet {
    public static final GuardSet NONE = new GuardSet(List.of());

    private final List<Guardrail> input;
    private final List<Guardrail> output;

    public GuardSet(List<Guardrail> guardrails) {
        this.input = guardrails.stream().filter(Guardrail::input).toList();
        this.output = guardrails.stream().filter(Guardrail::output).toList();
    }

    /** Whether any guardrail runs at {@code stage}. */
    public boolean any(GuardStage stage) {
        return !(stage == GuardStage.INPUT ? input : output).isEmpty();
    }

    /** The guardrails that run at {@code stage}, in order. */
    public List<Guardrail> at(GuardStage stage) {
        return stage == GuardStage.INPUT ? input : output;
    }

    /**
     * The request screened; its value is the request with redactions applied (the same object when none were).
     *
     * @param promptValues the client's values of a registry prompt's variables (empty without one): the rendered
     *     text is the application's instructions, which injection screening trusts, so the client's part of it is
     *     screened for injection on its own
     */
    public Screened<ChatRequest> screenInput(ChatRequest request, List<String> promptValues) {
        long start = System.nanoTime();
        Tally tally = new Tally(input, GuardStage.INPUT);
        for (int v = 0; v < promptValues.size() && !tally.blocked(); v++) {
            tally.screenInjection(promptValues.get(v));
        }
        for (int i = 0; i < input.size(); i++) {
            if (input.get(i).check() instanceof TopicCheck topics && topics.scan(request.lastUserText()).hit()) {
                tally.fired(i);
            }
        }
        List<Message> messages = null;
        for (int m = 0; m < request.messages().size() && !tally.blocked(); m++) {
            Message message = request.messages().get(m);
            boolean instructions = message.role() == Role.SYSTEM || message.role() == Role.DEVELOPER;
            List<Part> parts = screen(message.parts(), tally, !instructions);
            if (parts != message.parts()) {
                if (messages == null) {
                    messages = new ArrayList<>(request.messages());
                }
                messages.set(m, new Message(message.role(), parts, message.name()));
            }
        }
        ChatRequest value = messages == null || tally.blocked() ? request
                : new ChatRequest(request.model(), messages, request.sampling(), request.tools(), request.toolChoice(),
                        request.responseFormat(), request.stream(), request.includeUsage(), request.user(),
                        request.extensions(), request.dialect());
        return tally.result(value, start);
    }

    /** A complete answer screened; its value is the answer with redactions applied. */
    public Screened<ChatResponse> screenOutput(ChatResponse response) {
        long start = System.nanoTime();
        Tally tally = new Tally(output, GuardStage.OUTPUT);
        List<Part> parts = screen(response.output(), tally, true);
        ChatResponse value = parts == response.output() || tally.blocked() ? response
                : new ChatResponse(response.id(), response.model(), response.created(), parts, response.finishReason(),
                        response.usage());
        return tally.result(value, start);
    }

    /** A guard for one streamed answer. */
    public StreamGuard streamGuard() {
        return new StreamGuard(output);
    }

    /** The parts with their texts screened; the same list when nothing changed. */
    private static List<Part> screen(List<Part> parts, Tally tally, boolean injection) {
        List<Part> out = null;
        for (int p = 0; p < parts.size(); p++) {
            Part part = parts.get(p);
            Part screened = switch (part) {
                case Part.Text t -> {
                    String text = tally.screen(t.text(), injection);
                    yield text == t.text() ? t : new Part.Text(text);
                }
                case Part.ToolResult r -> {
                    String text = tally.screen(r.content(), injection);
                    yield text == r.content() ? r : new Part.ToolResult(r.toolCallId(), text);
                }
                case Part.Image i -> i;
                case Part.ToolCall c -> c;
            };
            if (screened != part) {
                if (out == null) {
                    out = new ArrayList<>(parts);
                }
                out.set(p, screened);
            }
        }
        return out == null ? parts : out;
    }
}
