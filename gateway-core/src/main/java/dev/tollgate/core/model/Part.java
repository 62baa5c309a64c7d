package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

/** One piece of a message's content. Closed: every codec handles every kind. */
public sealed interface Part {

    /** Plain text. */
    record Text(String text) implements Part {
        public Text { requireNonNull(text, "text"); }
    }

    /** An image by URL (http(s) or a {@code data:} URL); {@code detail} is OpenAI's hint, may be null. */
    record Image(String url, String detail) implements Part {
        public Image { requireNonNull(url, "url"); }
    }

    /** The model asks for a tool call; {@code arguments} is the JSON text exactly as the model produced it. */
    record ToolCall(String id, String name, String arguments) implements Part {
        public ToolCall {
            requireNonNull(id, "id");
            requireNonNull(name, "name");
            requireNonNull(arguments, "arguments");
        }
    }

    /** The caller's answer to a tool call. */
    record ToolResult(String toolCallId, String content) implements Part {
        public ToolResult {
            requireNonNull(toolCallId, "toolCallId");
            requireNonNull(content, "content");
        }
    }
}
