package dev.tollgate.core.quota;

import dev.tollgate.core.pricing.Money;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What an admitted request holds: its concurrency slots, its reserved tokens and its reserved cost, on every
 * scope of its demand. Settled exactly once, when the request ends however it ends.
 */
public interface Reservation {

    /**
     * Replaces the reservation with what the request really used: the token estimate in each {@code tpm} window is
     * corrected by {@code tokens - estimate} (a shortfall given back to the minute it was taken in while that
     * minute is still counted, an excess added to the current one), the reserved cost is released and
     * {@code cost} added to each budget's spend in the period containing {@code now}, and the concurrency slots
     * are freed. A cost above the reservation is still charged in full: spend is never dropped to keep a limit.
     *
     * <p>Never blocks; the returned stage completes with the alert thresholds this settlement crossed. Calls after
     * the first are ignored and complete with an empty list. A failed shared store fails the stage; the caller
     * logs it (the ledger row still records the spend, and counters are rebuilt from the ledger on restart).
     */
    CompletionStage<List<BudgetCrossing>> settle(long tokens, Money cost, Instant now);
}
