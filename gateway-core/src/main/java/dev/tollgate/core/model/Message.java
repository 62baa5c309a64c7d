package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** One turn of a conversation. {@code name} is the optional participant name; null when absent. */
public record Message(Role role, List<Part> parts, String name) {
    public Message {
        requireNonNull(role, "role");
        parts = List.copyOf(parts);
    }

    public static Message text(Role role, String text) {
        return new Message(role, List.of(new Part.Text(text)), null);
    }

    /** The concatenated text parts, the way a model would read them. */
    public String text() {
        var out = new StringBuilder();
        for (Part part : parts) {
            if (part instanceof Part.Text t) {
                out.append(t.text());
            }
        }
        return out.toString();
    }
}
