package dev.tollgate.core.guard;

import static java.util.Objects.requireNonNull;

/** What one guardrail came to at one stage of one request: logged and counted, names only. */
public record Verdict(String guardrail, GuardStage stage, GuardResult result) {
    public Verdict {
        requireNonNull(guardrail, "guardrail");
        requireNonNull(stage, "stage");
        requireNonNull(result, "result");
    }
}
