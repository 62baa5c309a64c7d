package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

/**
 * The version a request renders, and the model group an experiment's arm sends it to.
 *
 * @param model the arm's model group, which takes precedence over the request's own; null when no arm set one
 */
public record PromptChoice(Prompt prompt, PromptVersion version, String model, PromptUse use) {
    public PromptChoice {
        requireNonNull(prompt, "prompt");
        requireNonNull(version, "version");
        requireNonNull(use, "use");
    }
}
