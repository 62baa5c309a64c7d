package dev.tollgate.server.exchange;

import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.server.log.AccessLog;

/** Where a finished exchange's summary goes: the metrics port, and the access log when it is on. */
public final class ExchangeReporter {
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;

    /** @param accessLog null when access logging is off */
    public ExchangeReporter(GatewayMetrics metrics, AccessLog accessLog) {
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    public void report(ExchangeSummary summary) {
        metrics.exchangeFinished(summary);
        if (accessLog != null) {
            accessLog.write(summary);
        }
    }
}
