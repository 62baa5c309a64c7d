package dev.tollgate.core.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.pricing.Money;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class LocalQuotaStoreTest extends QuotaStoreContract {

    @Override
    protected QuotaStore newStore(ZoneId zone) {
        return new LocalQuotaStore(zone);
    }

    @Test
    void admissionsCompleteInline() {
        LocalQuotaStore store = new LocalQuotaStore(ZONE);
        assertThat(store.admit(demand(at(0), limits("key:a", 1, 0, 0))).toCompletableFuture()).isCompleted();
    }

    @Test
    void idleScopesAreDroppedButRunningBudgetsAreKept() {
        LocalQuotaStore store = new LocalQuotaStore(ZONE);
        QuotaCheck budgeted = budget("key:a", "1", Period.DAILY, at(0));
        Reservation charged = granted(store, demand(at(0), 0, usd("0.5"), budgeted)).reservation();
        join(charged.settle(0, usd("0.25"), at(0)));
        for (int i = 0; i < 100; i++) {
            Reservation r = granted(store, demand(at(0), limits("user:k:" + i, 10, 0, 0))).reservation();
            join(r.settle(0, Money.ZERO, at(1)));
        }
        Reservation unsettled = granted(store, demand(at(0), limits("user:k:held", 10, 0, 0))).reservation();
        assertThat(store.scopeCount()).isEqualTo(102);

        // Two minutes on, the user buckets have left the window; the sweep runs on the next call.
        granted(store, demand(at(120), limits("key:b", 0, 0, 0)));
        assertThat(store.scopeCount()).isEqualTo(3);
        assertThat(usage(store, budgeted, at(120)).spent()).isEqualTo(usd("0.25"));
        assertThat(usage(store, limits("user:k:held", 10, 0, 0), at(120)).concurrent()).isEqualTo(1);
        join(unsettled.settle(0, Money.ZERO, at(121)));
    }

    @Test
    void spendOfAnEndedPeriodIsDropped() {
        LocalQuotaStore store = new LocalQuotaStore(ZONE);
        QuotaCheck day1 = budget("key:a", "1", Period.DAILY, at(0));
        join(store.seed("key:a", day1.window(), usd("0.5")));
        granted(store, demand(day1.window().end().plusSeconds(120), limits("key:b", 0, 0, 0)));
        assertThat(store.scopeCount()).isEqualTo(1);
    }

    @Test
    void aScopeCheckedTwiceInOneDemandIsRefused() {
        LocalQuotaStore store = new LocalQuotaStore(ZONE);
        QuotaCheck key = limits("key:a", 1, 0, 0);
        assertThatThrownBy(() -> store.admit(demand(at(0), key, limits("team:t", 0, 0, 0), key)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
