package dev.tollgate.server.exchange;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.ledger.SpendLedger;
import dev.tollgate.core.ledger.SpendRow;
import dev.tollgate.core.observe.ExchangeSummary;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.server.eval.EvaluationDraft;
import dev.tollgate.server.eval.Evaluations;
import dev.tollgate.server.log.AccessLog;
import dev.tollgate.server.quality.RecentRequests;
import dev.tollgate.server.quality.ReviewDraft;
import dev.tollgate.server.quality.ReviewWriter;
import java.time.Instant;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Where a finished exchange's summary goes: the metrics port, the access log while the config in force turns it on,
 * and the spend ledger
 * for requests that reached a provider or were charged (refusals before that cost nothing and are counted in
 * metrics and the access log only, so a misbehaving client cannot flood the ledger). Those of them that are chat
 * requests also go to the index of recent requests that feedback is checked against (so the index and the ledger
 * know the same requests), a sampled one's texts to the review writer, and one drawn by evaluators to the
 * evaluation queue.
 */
public final class ExchangeReporter {
    /** The chat routes, whose answers can be rated and sampled. */
    private static final Set<String> RATEABLE_ROUTES = Set.of("chat", "messages");

    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final BooleanSupplier accessLogOn;
    private final SpendLedger ledger;
    private final RecentRequests recent;
    private final ReviewWriter reviews;
    private final Evaluations evaluations;

    /**
     * @param accessLog null when there is no access log at all
     * @param accessLogOn read per exchange, so a reload can turn the access log on or off
     * @param ledger null when the ledger is off
     * @param reviews null when the ledger is off (samples are kept there)
     * @param evaluations null when the ledger is off (results are kept there)
     */
    public ExchangeReporter(GatewayMetrics metrics, AccessLog accessLog, BooleanSupplier accessLogOn,
                            SpendLedger ledger, RecentRequests recent, ReviewWriter reviews,
                            Evaluations evaluations) {
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.accessLogOn = accessLogOn;
        this.ledger = ledger;
        this.recent = requireNonNull(recent, "recent");
        this.reviews = reviews;
        this.evaluations = evaluations;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public void report(ExchangeSummary s) {
        report(s, null, null, null);
    }

    /**
     * @param traceId the request's trace, for the access log; null when it has none
     * @param review a sampled request's texts for the review store, or null
     * @param evaluation a request drawn by evaluators, for them, or null
     */
    public void report(ExchangeSummary s, String traceId, ReviewDraft review, EvaluationDraft evaluation) {
        metrics.exchangeFinished(s);
        if (accessLog != null && accessLogOn.getAsBoolean()) {
            accessLog.write(s, traceId);
        }
        Instant now = Instant.now();
        String tier = s.routing().tier();
        String variant = s.routing().variant();
        if (ledger != null && s.billable()) {
            ledger.record(new SpendRow(s.spendId(), now, s.key(), s.team(), s.user(), s.route(),
                    s.model(), s.deployment(), s.provider(), s.usage(), s.cost(), s.costEstimated(), s.outcome(),
                    s.status(), s.cacheHit(), s.stream(), s.latencyNanos() / 1_000_000,
                    s.requestId().equals(s.spendId()) ? null : s.requestId(), tier, variant, s.prompt()));
        }
        if (s.model() != null && s.billable() && RATEABLE_ROUTES.contains(s.route())) {
            var facts = new RequestFacts(s.requestId(), s.spendId(), now, s.key(), s.team(), s.model(), tier,
                    variant, s.prompt());
            recent.add(facts);
            if (review != null && reviews != null) {
                reviews.offer(facts, s.deployment(), s.usage(), s.cost(), s.latencyNanos() / 1_000_000, s.stream(),
                        review);
            }
            if (evaluation != null && evaluations != null) {
                evaluations.offer(facts, evaluation);
            }
        }
    }
}
