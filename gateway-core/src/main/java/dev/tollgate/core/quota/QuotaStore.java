package dev.tollgate.core.quota;

import dev.tollgate.core.pricing.Money;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Where rate-limit and budget counters live: in this process ({@code LocalQuotaStore}) or in Redis, shared by
 * every replica. Called on event-loop threads: no method blocks; stages complete on a store thread or inline, and
 * the caller hops back to its own loop.
 *
 * <p>Counting rules every implementation follows (the contract tests check them):
 * <ul>
 *   <li>Requests and tokens are counted in a sliding minute of twelve five-second buckets. A demand is checked
 *       against the sum of every bucket that overlaps the last sixty seconds, so no sixty-second interval ever
 *       holds more than the limit (at most five seconds of conservatism, never a double burst at a boundary).</li>
 *   <li>Budgets hold {@code spent(period) + reserved + demand.cost <= limit} at every instant, whatever the
 *       interleaving of admits and settlements on any number of replicas.</li>
 *   <li>A check that does not {@link QuotaCheck#countsRequest() count the request} (a fallback attempt of a
 *       request the scope already counted) is never refused on {@code rpm} and adds nothing to the request window;
 *       its tokens, concurrency slot and budget reservation are checked and taken as any other's.</li>
 *   <li>{@link #admit} checks every scope of the demand and reserves on all of them only if all pass: one atomic
 *       step, never a partial reservation.</li>
 *   <li>A concurrency slot or reservation that is never settled (its replica died) expires after the demand's
 *       lease TTL.</li>
 * </ul>
 */
public interface QuotaStore extends AutoCloseable {

    CompletionStage<Admission> admit(Demand demand);

    /**
     * Makes a scope's settled spend for {@code window} at least {@code spent}: how budgets survive a restart (the
     * ledger's sums are seeded at startup). A store that already holds more (a shared store kept by other replicas)
     * keeps its value.
     */
    CompletionStage<Void> seed(String scope, PeriodWindow window, Money spent);

    /** The scope's counters now; {@code check} supplies its budget window. */
    CompletionStage<ScopeUsage> usage(QuotaCheck check, Instant now);

    /** Releases connections and timers; reservations still held are abandoned (they expire). */
    @Override
    void close();
}
