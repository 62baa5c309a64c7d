package dev.tollgate.metrics;

import static dev.tollgate.metrics.MeterNames.KEY;
import static dev.tollgate.metrics.MeterNames.KEY_COST;
import static dev.tollgate.metrics.MeterNames.KEY_REQUESTS;
import static dev.tollgate.metrics.MeterNames.OUTCOME;
import static dev.tollgate.metrics.MeterNames.TEAM;
import static dev.tollgate.metrics.ExchangeMeters.orNone;

import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The series of each virtual key, labelled by the key's name (never its secret or hash), while
 * {@code metrics.per_key_labels} is on. Turning it off removes them from the registry, so the next scrape no longer
 * shows them and a metrics store stops paying for them.
 *
 * <p>Recording runs on event loops while the switch may flip on a reload thread. The switch is set before the
 * series are removed, and a recording checks it again after registering: whichever comes second sees the other, so
 * no series registered in the race outlives the switch.
 */
final class KeySeries {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<KeyOutcome, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<KeyTeam, Counter> cost = new ConcurrentHashMap<>();
    private volatile boolean on = true;

    KeySeries(MeterRegistry registry) {
        this.registry = registry;
    }

    private record KeyTeam(String key, String team) {}

    private record KeyOutcome(String key, String team, Outcome outcome) {}

    boolean on() {
        return on;
    }

    /** Turns per-key series on or off; off removes those registered. */
    void on(boolean value) {
        on = value;
        if (!value) {
            removeAll();
        }
    }

    /** Counts a finished request against its key, if it had one and per-key series are on. */
    void record(ExchangeSummary s) {
        if (!on || s.key() == null) {
            return;
        }
        String team = orNone(s.team());
        Registered.meter(requests, new KeyOutcome(s.key(), team, s.outcome()), k -> Counter.builder(KEY_REQUESTS)
                .description("Requests finished, by virtual key (its name), team and outcome")
                .tags(KEY, k.key(), TEAM, k.team(), OUTCOME, k.outcome().label()).register(registry)).increment();
        if (!s.cost().isZero()) {
            Registered.meter(cost, new KeyTeam(s.key(), team), k -> Counter.builder(KEY_COST).baseUnit("usd")
                    .description("Dollars charged for requests, by virtual key (its name) and team")
                    .tags(KEY, k.key(), TEAM, k.team()).register(registry)).increment(s.cost().nanos() / 1e9);
        }
        if (!on) {
            removeAll(); // switched off while this was registering: see the class comment
        }
    }

    private void removeAll() {
        remove(requests);
        remove(cost);
    }

    private void remove(Map<?, ? extends Meter> meters) {
        for (var it = meters.values().iterator(); it.hasNext(); ) {
            registry.remove(it.next());
            it.remove();
        }
    }
}
