package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.Role;

/** One message of a prompt version's template: {@code system}, {@code user} or {@code assistant}. */
public record PromptMessage(Role role, Template content) {
    public PromptMessage {
        requireNonNull(role, "role");
        requireNonNull(content, "content");
        if (role != Role.SYSTEM && role != Role.USER && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("a prompt message is system, user or assistant, not " + role);
        }
    }
}
