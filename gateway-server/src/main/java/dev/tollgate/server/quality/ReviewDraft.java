package dev.tollgate.server.quality;

import dev.tollgate.core.eval.Transcript;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.quality.ReviewText;

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
        Transcript.lines(request.messages(), prompt, gather);
        var text = new StringBuilder();
        if (answer != null) {
            Transcript.parts(answer.output(), text, gather);
        }
        return new ReviewDraft(Transcript.cut(prompt, limit), prompt.length() > limit, Transcript.cut(text, limit),
                answerCut || text.length() > limit, maxChars);
    }
}
