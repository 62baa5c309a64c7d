package dev.tollgate.core.eval;

import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import java.util.List;
import java.util.Locale;

/**
 * A conversation written out as plain text, the way a person (or a judge model) reads it: one {@code role: text}
 * line per message, images and tool calls named rather than inlined. Every writer stops at a limit, so that a huge
 * request costs no more than the text that is kept. Shared by the review samples and the evaluation judges, so
 * both show the same request the same way. Stateless.
 */
public final class Transcript {
    private Transcript() {}

    /**
     * Appends {@code role: text} lines for {@code messages} to {@code out} until it holds {@code limit} characters
     * or more; the last line may be cut anywhere.
     */
    public static void lines(List<Message> messages, StringBuilder out, int limit) {
        for (Message m : messages) {
            if (out.length() >= limit) {
                return;
            }
            out.append(m.role().name().toLowerCase(Locale.ROOT)).append(": ");
            parts(m.parts(), out, limit);
            out.append('\n');
        }
    }

    /**
     * Appends the parts' text to {@code out} until it holds {@code limit} characters: an image as {@code [image]}, a
     * tool call as {@code [tool call <name>]} and its arguments, a tool result as {@code [tool result]} and its
     * content.
     */
    public static void parts(List<Part> parts, StringBuilder out, int limit) {
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

    /** The first {@code limit} characters of {@code text}, one fewer where the last would be half a surrogate pair. */
    public static String cut(CharSequence text, int limit) {
        if (text.length() <= limit) {
            return text.toString();
        }
        int end = limit > 0 && Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
        return text.subSequence(0, end).toString();
    }
}
