package dev.tollgate.server.exchange;

import dev.tollgate.core.ledger.SpendLedger;
import dev.tollgate.core.ledger.SpendRow;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.server.log.AccessLog;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Where a finished exchange's summary goes: the metrics port, the access log while the config in force turns it on,
 * and the spend ledger
 * for requests that reached a provider or were charged (refusals before that cost nothing and are counted in
 * metrics and the access log only, so a misbehaving client cannot flood the ledger).
 */
public final class ExchangeReporter {
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final BooleanSupplier accessLogOn;
    private final SpendLedger ledger;

    /**
     * @param accessLog null when there is no access log at all
     * @param accessLogOn read per exchange, so a reload can turn the access log on or off
     * @param ledger null when the ledger is off
     */
    public ExchangeReporter(GatewayMetrics metrics, AccessLog accessLog, BooleanSupplier accessLogOn,
                            SpendLedger ledger) {
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.accessLogOn = accessLogOn;
        this.ledger = ledger;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public void report(ExchangeSummary s) {
        report(s, null);
    }

    /** @param traceId the request's trace, for the access log; null when it has none */
    public void report(ExchangeSummary s, String traceId) {
        metrics.exchangeFinished(s);
        if (accessLog != null && accessLogOn.getAsBoolean()) {
            accessLog.write(s, traceId);
        }
        if (ledger != null && s.billable()) {
            ledger.record(new SpendRow(s.spendId(), Instant.now(), s.key(), s.team(), s.user(), s.route(),
                    s.model(), s.deployment(), s.provider(), s.usage(), s.cost(), s.costEstimated(), s.outcome(),
                    s.status(), s.cacheHit(), s.stream(), s.latencyNanos() / 1_000_000));
        }
    }
}
