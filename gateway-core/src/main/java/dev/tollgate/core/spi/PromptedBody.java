package dev.tollgate.core.spi;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.prompt.PromptChoice;

/**
 * A request body with its prompt merged in: an ordinary request of the client's dialect, without the
 * {@code prompt} field, and the choice that was rendered into it.
 */
public record PromptedBody(byte[] body, PromptChoice choice) {
    public PromptedBody {
        requireNonNull(body, "body");
        requireNonNull(choice, "choice");
    }
}
