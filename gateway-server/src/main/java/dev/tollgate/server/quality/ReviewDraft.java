package dev.tollgate.server.quality;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import java.util.List;
import java.util.Locale;

/**
 * A sampled request's prompt and answer as plain text, not yet redacted, each already bounded to
 * {@code maxChars} and a margin, so that a queue of drafts has a known worst-case size. Built on the event loop, so it
 * only copies text; redaction and the final cut happen on the review writer's thread.
 *
 * @param maxChars the review's {@code max_chars} when the request was sampled; the texts here are bounded to it
 *     plus a margin, so that a secret across the final cut is still whole when the redactor sees it
 */
public record ReviewDraft(String prompt, String answer, int maxChars) {
    /** Longer than any single finding (a PEM block is the longest): what lies past the cut is still recognised. */
    static final int REDACTION_MARGIN = 16_384;

    /** The prompt as {@code role: text} lines, one per message; images and tool calls named, not inlined. */
    public static ReviewDraft of(ChatRequest request, ChatResponse answer, int maxChars) {
        int limit = maxChars + REDACTION_MARGIN;
        var prompt = new StringBuilder();
        for (Message m : request.messages()) {
            if (prompt.length() >= limit) {
                break;
            }
            prompt.append(m.role().name().toLowerCase(Locale.ROOT)).append(": ");
            parts(m.parts(), prompt, limit);
            prompt.append('\n');
        }
        var text = new StringBuilder();
        if (answer != null) {
            parts(answer.output(), text, limit);
        }
        return new ReviewDraft(cut(prompt, limit), cut(text, limit), maxChars);
    }

    private static void parts(List<Part> parts, StringBuilder out, int limit) {
        for (Part p : parts) {
            if (out.length() >= limit) {
                return;
            }
            switch (p) {
                case Part.Text t -> out.append(t.text(), 0, Math.min(t.text().length(), limit - out.length()));
                case Part.Image i -> out.append("[image]");
                case Part.ToolCall c -> out.append("[tool call ").append(c.name()).append("] ").append(c.arguments(),
                        0, Math.min(c.arguments().length(), Math.max(0, limit - out.length())));
                case Part.ToolResult r -> out.append("[tool result] ").append(r.content(), 0,
                        Math.min(r.content().length(), Math.max(0, limit - out.length())));
            }
        }
    }

    private static String cut(StringBuilder text, int limit) {
        return text.length() <= limit ? text.toString() : text.substring(0, limit);
    }
}
