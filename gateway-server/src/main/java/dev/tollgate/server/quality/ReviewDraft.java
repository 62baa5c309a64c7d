package dev.tollgate.server.quality;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.quality.ReviewText;
import java.util.List;
import java.util.Locale;

/**
 * A sampled request's prompt and answer as plain text, not yet redacted, each already bounded to
 * {@code maxChars} and a margin, so that a queue of drafts has a known worst-case size. Built on the event loop, so it
 * only copies text; redaction and the final cut happen on the review writer's thread.
 *
 * @param promptCut whether {@code prompt} is only the beginning of the prompt (see
 *     {@link ReviewText#of(String, boolean, dev.tollgate.core.pii.PiiRedactor, int)})
 * @param answerCut the same for {@code answer}
 * @param maxChars the review's {@code max_chars} when the request was sampled; the texts here are bounded to it
 *     plus a margin, so that a secret across the final cut is still whole when the redactor sees it
 */
public record ReviewDraft(String prompt, boolean promptCut, String answer, boolean answerCut, int maxChars) {
    /** The most characters of a prompt or an answer a draft holds for a review's {@code max_chars}. */
    public static int bound(int maxChars) {
        return maxChars + ReviewText.REDACTION_MARGIN;
    }

    /**
     * The prompt as {@code role: text} lines, one per message; images and tool calls named, not inlined.
     *
     * @param answerCut whether {@code answer} is already only the beginning of the answer (a long stream's)
     */
    public static ReviewDraft of(ChatRequest request, ChatResponse answer, boolean answerCut, int maxChars) {
        int limit = bound(maxChars);
        // Gathered to one past the limit, so that more text than the limit shows as a longer text.
        int gather = limit + 1;
        var prompt = new StringBuilder();
        for (Message m : request.messages()) {
            if (prompt.length() >= gather) {
                break;
            }
            prompt.append(m.role().name().toLowerCase(Locale.ROOT)).append(": ");
            parts(m.parts(), prompt, gather);
            prompt.append('\n');
        }
        var text = new StringBuilder();
        if (answer != null) {
            parts(answer.output(), text, gather);
        }
        return new ReviewDraft(cut(prompt, limit), prompt.length() > limit, cut(text, limit),
                answerCut || text.length() > limit, maxChars);
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

    /** The first {@code limit} characters, one fewer where the last would be half a surrogate pair. */
    private static String cut(StringBuilder text, int limit) {
        if (text.length() <= limit) {
            return text.toString();
        }
        return text.substring(0, Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit);
    }
}
