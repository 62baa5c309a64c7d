package dev.tollgate.core.quota;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.pricing.Money;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A reservation as every store hands it out: the demand it was admitted for, the minute bucket it was admitted
 * in, and the rule that it is settled once (later calls complete with no crossings). How a settlement is carried
 * out is the store's {@link Settler}.
 */
public final class SettleOnce implements Reservation {

    /** Carries out one settlement of {@code demand}, admitted in {@code bucket}; called at most once. */
    @FunctionalInterface
    public interface Settler {
        CompletionStage<List<BudgetCrossing>> settle(Demand demand, long bucket, long tokens, Money cost,
                                                     Instant now);
    }

    private final Demand demand;
    private final long bucket;
    private final Settler settler;
    private final AtomicBoolean settled = new AtomicBoolean();

    public SettleOnce(Demand demand, long bucket, Settler settler) {
        this.demand = requireNonNull(demand, "demand");
        this.bucket = bucket;
        this.settler = requireNonNull(settler, "settler");
    }

    @Override
    public CompletionStage<List<BudgetCrossing>> settle(long tokens, Money cost, Instant now) {
        requireNonNull(cost, "cost");
        requireNonNull(now, "now");
        if (!settled.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(List.of());
        }
        return settler.settle(demand, bucket, tokens, cost, now);
    }
}
