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
        // Gathered to one past the limit and the line break after it: once that break is dropped, a text longer
        // than the limit is one that went on, even where the limit falls on a line break.
        int gather = maxChars + 2;
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
        return new JudgeInput(bounded(withoutLastBreak(context), maxChars), bounded(withoutLastBreak(prompt), maxChars),
                bounded(trimEnd(answer), maxChars));
    }

    /** {@code text}, line breaks trimmed from its end; its first {@code maxChars} so trimmed and marked when longer. */
    private static String bounded(CharSequence text, int maxChars) {
        return text.length() <= maxChars ? trimEnd(text).toString()
                : trimEnd(Transcript.cut(text, maxChars)) + CUT_NOTE;
    }

    /** Without the line break the gathering wrote after the last line. */
    private static CharSequence withoutLastBreak(CharSequence lines) {
        int end = lines.length();
        return end > 0 && lines.charAt(end - 1) == '\n' ? lines.subSequence(0, end - 1) : lines;
    }

    /** Without the line breaks the text ends with: they are no part of the material. */
    private static CharSequence trimEnd(CharSequence text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        return text.subSequence(0, end);
    }
}
