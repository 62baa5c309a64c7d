package dev.tollgate.server.health;

import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.pricing.Money;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every deployment state reported, in order; ignores the rest. */
final class RecordingMetrics implements GatewayMetrics {
    final List<String> states = new CopyOnWriteArrayList<>();

    @Override
    public void deploymentState(String deployment, String state) {
        states.add(deployment + "=" + state);
    }

    @Override
    public void exchangeFinished(ExchangeSummary summary) {}

    @Override
    public void quotaDenied(String scopeKind, String dimension) {}

    @Override
    public void budgetAlert(String scopeKind, double threshold) {}

    @Override
    public void ledgerRows(String state, long rows) {}

    @Override
    public void ledgerUp(boolean up) {}

    @Override
    public void budgetLevel(String scope, Money spent, Money limit) {}

    @Override
    public void upstreamAttempt(String deployment, String result, String next) {}
}
