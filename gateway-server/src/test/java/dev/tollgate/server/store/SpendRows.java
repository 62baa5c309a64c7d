package dev.tollgate.server.store;

import dev.tollgate.core.ledger.SpendRow;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import java.time.Instant;

/** Spend rows for ledger tests. */
final class SpendRows {
    private SpendRows() {}

    /** A successful, reported, non-streamed chat row. */
    static SpendRow row(String id, Instant at, String key, String team, long costNanos) {
        return new SpendRow(id, at, key, team, "user-1", "chat", "gpt-4o-mini", "gpt-4o-mini/openai", "openai",
                new Usage(100, 20, 10, 0, 5, true), new Money(costNanos), false, Outcome.SUCCESS, 200, false, false,
                42, null, null, null, null);
    }

    /** Every field set to something other than the defaults above. */
    static SpendRow unusual(String id, Instant at) {
        return new SpendRow(id, at, "k-odd", "t-odd", "user\0with nul", "messages", "claude", "claude/anthropic",
                "anthropic", new Usage(7, 3, 1, 2, 1, false), new Money(999), true, Outcome.CLIENT_CANCELLED, 499,
                true, true, 1234, "client-odd", "premium", "canary/claude", null);
    }

    /** A chat row of arm {@code arm} of experiment {@code tone} on prompt {@code support-answer}. */
    static SpendRow inExperiment(String id, Instant at, String arm, Outcome outcome, long latencyMillis,
                                 long costNanos) {
        return new SpendRow(id, at, "k", "t", "user-1", "chat", "gpt-4o-mini", "gpt-4o-mini/openai", "openai",
                new Usage(100, 20, 0, 0, 0, true), new Money(costNanos), false, outcome,
                outcome == Outcome.SUCCESS ? 200 : 502, false, false, latencyMillis, null, null, "tone/" + arm,
                new PromptUse("support-answer", arm.equals("a") ? 1 : 2, "production", "tone", arm));
    }
}
