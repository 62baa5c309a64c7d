package dev.tollgate.core.eval;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Role;
import java.util.ArrayList;

/**
 * What a judge is shown of one request, each text already cut to the evaluation's {@code max_chars}.
 *
 * @param context the system and developer messages' text (the context and instructions the model was given), one
 *     message a line; empty when there were none
 * @param prompt the rest of the conversation as {@code role: text} lines (see {@link Transcript#lines})
 * @param answer the model's answer
 */
public record JudgeInput(String context, String prompt, String answer) {
    /** Ends a text that was cut, so that the judge does not take the missing end for the answer's own. */
    public static final String CUT_NOTE = "\n[…cut]";

    public JudgeInput {
        requireNonNull(context, "context");
        requireNonNull(prompt, "prompt");
        requireNonNull(answer, "answer");
    }

    /**
     * The judge's view of {@code request} and its {@code answer} (see {@link AnswerText#of}), each of the three
     * texts cut to {@code maxChars} (never inside a surrogate pair) and then marked with {@link #CUT_NOTE}.
     */
    public static JudgeInput of(ChatRequest request, String answer, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("max chars must be positive");
        }
        // Gathered to one past the limit, so that more text than the limit shows as a longer text.
        int gather = maxChars + 1;
        var context = new StringBuilder();
        var conversation = new ArrayList<Message>(request.messages().size());
        for (Message m : request.messages()) {
            if (m.role() == Role.SYSTEM || m.role() == Role.DEVELOPER) {
                if (context.length() < gather) {
                    Transcript.parts(m.parts(), context, gather);
                    context.append('\n');
                }
            } else {
                conversation.add(m);
            }
        }
        var prompt = new StringBuilder();
        Transcript.lines(conversation, prompt, gather);
        return new JudgeInput(bounded(context, maxChars), bounded(prompt, maxChars), bounded(answer, maxChars));
    }

    private static String bounded(CharSequence text, int maxChars) {
        CharSequence trimmed = trimEnd(text);
        return trimmed.length() <= maxChars ? trimmed.toString() : Transcript.cut(trimmed, maxChars) + CUT_NOTE;
    }

    /** Without the newline the last line ends with: a line break is no part of the material. */
    private static CharSequence trimEnd(CharSequence text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        return text.subSequence(0, end);
    }
}
