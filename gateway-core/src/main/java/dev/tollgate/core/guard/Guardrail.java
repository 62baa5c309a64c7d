package dev.tollgate.core.guard;

import static java.util.Objects.requireNonNull;

/**
 * A named, configured check: what it looks for, what it does when it finds it, and where it runs.
 *
 * @param name the config's name for it: what a block's error, the access log and the metrics say
 * @param input whether it screens requests
 * @param output whether it screens answers (streams included)
 */
public record Guardrail(String name, GuardCheck check, GuardAction action, boolean input, boolean output) {
    public Guardrail {
        requireNonNull(name, "name");
        requireNonNull(check, "check");
        requireNonNull(action, "action");
        if (!input && !output) {
            throw new IllegalArgumentException("guardrail '" + name + "' runs nowhere");
        }
        if (action == GuardAction.REDACT && !check.locates()) {
            throw new IllegalArgumentException("a " + check.kind() + " guardrail cannot redact: it judges a text as "
                    + "a whole");
        }
        if (output && check instanceof TopicCheck) {
            throw new IllegalArgumentException("a topics guardrail reads the request's last user message: input only");
        }
    }
}
