package dev.tollgate.core.spi;

import dev.tollgate.core.prompt.PromptChoice;
import dev.tollgate.core.prompt.PromptRef;

/** What a dialect's prompt merge asks of the gateway: the version a reference resolves to for this request. */
@FunctionalInterface
public interface PromptResolver {
    /**
     * @param bodyUser the end user the body names (the dialect's user field), or null; an experiment sticky by user
     *     uses it when no header named one
     * @throws dev.tollgate.core.model.GatewayException a 404 for an unknown prompt, label or version
     */
    PromptChoice choose(PromptRef ref, String bodyUser);
}
