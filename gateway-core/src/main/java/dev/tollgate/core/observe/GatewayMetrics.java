package dev.tollgate.core.observe;

import dev.tollgate.core.pricing.Money;

/**
 * The metrics port. Implementations must be cheap and non-blocking: they are called on event-loop threads,
 * once per finished exchange.
 */
public interface GatewayMetrics {
    void exchangeFinished(ExchangeSummary summary);

    /**
     * A request refused by a limit or budget before it was sent.
     *
     * @param scopeKind {@code key}, {@code team}, {@code user}, {@code deployment} or {@code global}
     * @param dimension {@code requests}, {@code tokens}, {@code concurrent} or {@code budget}
     */
    void quotaDenied(String scopeKind, String dimension);

    /** A budget crossed an alert threshold (a fraction of its limit). */
    void budgetAlert(String scopeKind, double threshold);

    /**
     * Spend-ledger rows that changed state, off the request path.
     *
     * @param state {@code written}, {@code spilled}, {@code replayed} or {@code lost}
     */
    void ledgerRows(String state, long rows);

    /** Whether the ledger's database answers (false while rows go to the spill file). */
    void ledgerUp(boolean up);

    /**
     * A team's or the global budget as it stands (sampled off the request path): what was spent in the current
     * period and the limit. Keys and end users are left out: there can be too many of them for metric labels.
     *
     * @param scope {@code team:<name>} or {@code global}
     */
    void budgetLevel(String scope, Money spent, Money limit);

    /**
     * One upstream attempt of a request ended, before or without committing the response.
     *
     * @param deployment the deployment id
     * @param result {@code ok}, or the failure's {@code ErrorKind} label
     * @param next what the request did next: {@code none} (it ended with this attempt), {@code retry_same},
     *     {@code next_deployment}, {@code fallback}, or {@code gave_up}
     */
    void upstreamAttempt(String deployment, String result, String next);

    /**
     * Whether a deployment can take requests, sampled off the request path.
     *
     * @param state {@code closed}, {@code open}, {@code half_open} (its circuit breaker) or {@code cooling}
     *     (after a 429 with a reset time, or its provider reported its quota used up)
     */
    void deploymentState(String deployment, String state);
}
