package dev.tollgate.core.model;

/**
 * Token counts when no provider says: about four characters a token, at least one per message, images at a flat
 * rate, tool definitions counted. Used where an estimate beats nothing (the mock, token counting for providers
 * that cannot count, a stream cut short) and always marked as an estimate where it is recorded.
 */
public final class TokenEstimate {
    /** What a low-detail image costs at OpenAI; the order of magnitude most providers charge. */
    private static final int IMAGE_TOKENS = 85;

    private TokenEstimate() {}

    /** The input tokens of a chat request. */
    public static long input(ChatRequest request) {
        long tokens = 0;
        for (Message message : request.messages()) {
            long chars = 0;
            for (Part part : message.parts()) {
                switch (part) {
                    case Part.Text t -> chars += t.text().length();
                    case Part.Image i -> tokens += IMAGE_TOKENS;
                    case Part.ToolCall c -> chars += c.name().length() + c.arguments().length();
                    case Part.ToolResult r -> chars += r.content().length();
                }
            }
            tokens += Math.max(1, (chars + 3) / 4);
        }
        for (Tool tool : request.tools()) {
            long chars = tool.name().length() + tool.parameters().json().length()
                    + (tool.description() == null ? 0 : tool.description().length());
            tokens += (chars + 3) / 4;
        }
        return tokens;
    }

    /** The tokens of a piece of text, at least one. */
    public static long text(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }
}
