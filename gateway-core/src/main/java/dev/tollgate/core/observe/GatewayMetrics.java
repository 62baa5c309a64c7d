package dev.tollgate.core.observe;

/**
 * The metrics port. Implementations must be cheap and non-blocking: they are called on event-loop threads,
 * once per finished exchange.
 */
public interface GatewayMetrics {
    void exchangeFinished(ExchangeSummary summary);
}
