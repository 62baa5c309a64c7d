package dev.tollgate.core.spi;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.prompt.PromptChoice;
import java.util.List;

/**
 * A request body with its prompt merged in: an ordinary request of the client's dialect, without the
 * {@code prompt} field, and the choice that was rendered into it.
 *
 * @param values the client's values of the variables the version rendered: text the client wrote that may now
 *     stand in the application's own instructions, which input guardrails otherwise trust
 */
public record PromptedBody(byte[] body, PromptChoice choice, List<String> values) {
    public PromptedBody {
        requireNonNull(body, "body");
        requireNonNull(choice, "choice");
        values = List.copyOf(values);
    }
}
