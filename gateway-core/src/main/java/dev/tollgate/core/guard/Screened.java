package dev.tollgate.core.guard;

import java.util.List;

/**
 * A request or an answer after its guardrails: the value to go on with (redacted where a guardrail redacts), each
 * guardrail's verdict, and the guardrail that blocked it, if one did.
 *
 * @param value the value, redacted; the original when nothing was redacted; meaningless when blocked
 * @param verdicts one per guardrail that ran, in the set's order
 * @param blockedBy the name of the first guardrail that blocked, or null
 * @param nanos how long the screening took
 */
public record Screened<T>(T value, List<Verdict> verdicts, String blockedBy, long nanos) {
    public Screened {
        verdicts = List.copyOf(verdicts);
    }

    public boolean blocked() {
        return blockedBy != null;
    }

    /** Whether any guardrail redacted something. */
    public boolean redacted() {
        for (Verdict v : verdicts) {
            if (v.result() == GuardResult.REDACT) {
                return true;
            }
        }
        return false;
    }
}
