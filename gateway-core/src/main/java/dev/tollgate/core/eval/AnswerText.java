package dev.tollgate.core.eval;

import dev.tollgate.core.model.ChatResponse;

/** An answer as the text an evaluator scores. Stateless. */
public final class AnswerText {
    private AnswerText() {}

    /** The answer's text parts in order, tool calls named with their arguments (see {@link Transcript#parts}). */
    public static String of(ChatResponse response) {
        var out = new StringBuilder();
        Transcript.parts(response.output(), out, Integer.MAX_VALUE);
        return out.toString();
    }
}
